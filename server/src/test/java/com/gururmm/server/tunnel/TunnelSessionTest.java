package com.gururmm.server.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import com.gururmm.protocol.tunnel.TunnelControl;
import com.gururmm.server.auth.Principal;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.websocket.api.Session;
import org.junit.jupiter.api.Test;

/** The order in which a session's end becomes visible: its record first, then the legs and the opener. */
class TunnelSessionTest {

    /** A Jetty session that is open and writes down every text frame and close it is asked for. */
    private static SocketEnd recordingLeg(List<String> frames) {
        Session session = (Session) Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "isOpen" -> true;
                    case "sendText" -> {
                        frames.add((String) args[0]);
                        yield null;
                    }
                    case "close" -> {
                        frames.add("close");
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
        return new SocketEnd(session);
    }

    @Test
    void theEndIsRecordedBeforeAnyLegOrTheOpenerHearsOfIt() {
        List<String> clientFrames = new CopyOnWriteArrayList<>();
        List<String> agentFrames = new CopyOnWriteArrayList<>();
        List<String> seenWhileRecording = new CopyOnWriteArrayList<>();
        TunnelSession session = new TunnelSession(UUID.randomUUID(), UUID.randomUUID(), Principal.SYSTEM, "host", "system", 80, 24,
                64 * 1024, Instant.now(), null, s -> {
                    seenWhileRecording.addAll(clientFrames);
                    seenWhileRecording.addAll(agentFrames);
                });
        assertThat(session.agentConnected(recordingLeg(agentFrames))).isTrue();
        session.agentReady(new TunnelControl.Ready(42, "/dev/pts/9"));
        SocketEnd client = recordingLeg(clientFrames);
        assertThat(session.attach(client, 0)).isNull();
        clientFrames.clear();

        session.end(0, "the shell exited");

        assertThat(seenWhileRecording).as("frames sent before the end was recorded").isEmpty();
        assertThat(clientFrames).anyMatch(f -> f.contains("\"exit\"")).last().isEqualTo("close");
        assertThat(agentFrames).anyMatch(f -> f.contains("\"close\""));
    }

    @Test
    void aStartThatFailsIsRecordedBeforeTheOpenerIsRefused() {
        boolean[] openerAnsweredFirst = new boolean[1];
        TunnelSession[] holder = new TunnelSession[1];
        holder[0] = new TunnelSession(UUID.randomUUID(), UUID.randomUUID(), Principal.SYSTEM, "host", "system", 80, 24, 64 * 1024,
                Instant.now(), null, s -> openerAnsweredFirst[0] = holder[0].ready.isDone());
        holder[0].end(null, "no such user");
        assertThat(openerAnsweredFirst[0]).isFalse();
        assertThat(holder[0].ready).isCompletedExceptionally();
    }
}
