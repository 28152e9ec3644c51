package com.gururmm.server.cluster;

import com.gururmm.server.http.ApiException;

/**
 * "This request is served by node {@link #node()}": thrown by work bound to one node (a shell,
 * its recording, a file transfer through the agent's connection) when another node is asked.
 * The route table passes the request on to that node ({@link NodeRelay}); where it cannot (a
 * single node, or a request already passed on once), it is the 409 it reads as.
 */
public final class OnOtherNode extends ApiException {
    private final String node;
    private boolean bodyUnread;

    /**
     * @param code    {@code agent_on_other_node} when the agent's connection is there,
     *                {@code session_on_other_node} when a shell session (or its recording) is
     * @param message the sentence a caller reads when the request is not passed on
     */
    public OnOtherNode(String node, String code, String message) {
        super(409, code, message);
        this.node = node;
    }

    public String node() {
        return node;
    }

    /**
     * Says the request's body has not been read (a file upload, thrown before its first byte): it
     * is streamed through to the serving node instead of being read here whole.
     */
    public OnOtherNode bodyUnread() {
        this.bodyUnread = true;
        return this;
    }

    /** Whether the body streams through ({@link #bodyUnread}); otherwise the route read it and it is sent from memory. */
    public boolean streamsBody() {
        return bodyUnread;
    }
}
