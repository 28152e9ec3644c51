package com.gururmm.server.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The evaluators' per-agent memory: open alerts read when the agent's first state is made, again after it connects. */
class AgentStatesTest {
    @Test
    void anAlertOpenedElsewhereIsKnownOnceTheAgentConnectsHere() {
        Set<String> openInDatabase = ConcurrentHashMap.newKeySet();
        AtomicInteger reads = new AtomicInteger();
        AgentStates<boolean[]> states = new AgentStates<>(id -> {
            reads.incrementAndGet();
            return Set.copyOf(openInDatabase);
        });
        UUID agent = UUID.randomUUID();
        assertThat(states.get(agent, "cpu", alerting -> new boolean[] {alerting})[0]).isFalse();
        assertThat(states.get(agent, "disk", alerting -> new boolean[] {alerting})[0]).isFalse();
        assertThat(reads).as("one read per agent, not per check").hasValue(1);

        // Another node opened an alert for the agent's cpu check; the agent then connects here.
        openInDatabase.add("cpu");
        assertThat(states.get(agent, "cpu", alerting -> new boolean[] {alerting})[0]).as("still the old memory").isFalse();
        states.forgetAgent(agent);
        assertThat(states.get(agent, "cpu", alerting -> new boolean[] {alerting})[0]).isTrue();
        assertThat(reads).hasValue(2);
    }

    @Test
    void aForgottenCheckStartsCleanEvenIfItsAlertWasOpenWhenRead() {
        AgentStates<boolean[]> states = new AgentStates<>(id -> Set.of("cpu"));
        UUID agent = UUID.randomUUID();
        assertThat(states.get(agent, "cpu", alerting -> new boolean[] {alerting})[0]).isTrue();
        // The check went away and its alert was resolved: if it comes back, nothing is open.
        states.forget(agent, "cpu");
        assertThat(states.get(agent, "cpu", alerting -> new boolean[] {alerting})[0]).isFalse();
    }
}
