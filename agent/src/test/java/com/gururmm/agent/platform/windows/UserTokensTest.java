package com.gururmm.agent.platform.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.gururmm.agent.platform.CommandRefusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UserTokensTest {
    private final FakeWin32 win32 = new FakeWin32().user(1, "PC\\alice", true);
    private final ActiveSessions.Choice alice = new ActiveSessions.Choice(1, "PC\\alice");

    @Test
    void aStandardUsersTokenIsDuplicatedAsPrimaryAndNotElevated() throws Exception {
        UserTokens.Token token = UserTokens.open(win32, alice);
        assertThat(token.elevated()).isFalse();
        assertThat(win32.calls).containsSubsequence("queryUserToken", "isFilteredAdmin", "duplicatePrimary", "close Token")
                .doesNotContain("linkedToken");
        assertThat(win32.openHandles()).containsExactly("Token"); // only the one returned
        win32.close(token.handle());
        assertThat(win32.badCloses).isEmpty();
    }

    @Test
    void aFilteredAdministratorGetsTheLinkedFullToken() throws Exception {
        win32.admins.add(1);
        UserTokens.Token token = UserTokens.open(win32, alice);
        assertThat(token.elevated()).isTrue();
        assertThat(win32.calls).containsSubsequence("queryUserToken", "isFilteredAdmin", "linkedToken", "duplicatePrimary");
        assertThat(win32.openHandles()).containsExactly("Token");
        assertThat(win32.calls.stream().filter(c -> c.equals("close Token"))).hasSize(2); // the session token and the linked one
    }

    @Test
    void aUserWhoSignedOutMeanwhileIsANoLoggedOnUserRefusal() {
        win32.signedOut.add(1);
        assertThatThrownBy(() -> UserTokens.open(win32, alice)).isInstanceOf(CommandRefusedException.class)
                .hasMessageStartingWith("No logged-on user: PC\\alice signed out of session 1");
        assertThat(win32.openHandles()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"queryUserToken", "isFilteredAdmin", "linkedToken", "duplicatePrimary"})
    void everyFailureClosesWhatWasOpened(String step) {
        win32.admins.add(1);
        win32.failAt = step;
        assertThatThrownBy(() -> UserTokens.open(win32, alice)).isInstanceOf(Win32Exception.class).hasMessageContaining(step);
        assertThat(win32.openHandles()).isEmpty();
        assertThat(win32.badCloses).isEmpty();
    }
}
