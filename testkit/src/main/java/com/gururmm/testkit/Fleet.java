package com.gururmm.testkit;

import com.gururmm.client.GuruClient;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A server and the agent processes attached to it, torn down together. */
public final class Fleet implements AutoCloseable {
    private final TestServer server;
    private final List<AgentProcess> agents = new ArrayList<>();
    private final GuruClient admin;

    public Fleet(TestServer server) {
        this.server = server;
        this.admin = server.adminClient();
    }

    public static Fleet start(TestDatabase.Kind kind) {
        return new Fleet(TestServer.start(kind));
    }

    public TestServer server() {
        return server;
    }

    public GuruClient admin() {
        return admin;
    }

    /** Starts a new machine's agent and waits until it is online. */
    public AgentProcess addAgent() {
        AgentProcess agent = AgentProcess.create(server.url(), server.enrollmentToken());
        agents.add(agent);
        agent.start().awaitOnline(admin);
        return agent;
    }

    /** Registers an agent built by the caller so the fleet closes it. */
    public AgentProcess track(AgentProcess agent) {
        agents.add(agent);
        return agent;
    }

    public UUID onlineAgentId() {
        return addAgent().agentId();
    }

    @Override
    public void close() {
        agents.forEach(AgentProcess::close);
        server.close();
    }
}
