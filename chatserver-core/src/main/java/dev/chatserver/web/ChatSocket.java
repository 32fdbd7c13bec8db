package dev.chatserver.web;

import dev.chatserver.engine.ChatEngine;
import dev.chatserver.engine.ChatSession;
import dev.chatserver.engine.Completion;
import dev.chatserver.engine.Reply;
import dev.chatserver.engine.ReplyListener;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import jakarta.json.Json;
import java.io.StringReader;

/** TEMPORARY direct engine driver; replaced by the protocol package's Conversation. */
final class ChatSocket implements WsListener {
    private final ChatEngine engine;
    private final OpenSockets sockets;
    private final int maxMessageBytes;
    private volatile WsSession ws;
    private ChatSession session;
    private volatile Reply reply;
    private final StringBuilder frame = new StringBuilder();

    ChatSocket(ChatEngine engine, OpenSockets sockets, int maxMessageBytes) {
        this.engine = engine;
        this.sockets = sockets;
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public void onOpen(WsSession ws) {
        this.ws = ws;
        if (!sockets.add(this)) {
            ws.close(WsCloseCodes.GOING_AWAY, "server shutting down");
            return;
        }
        session = engine.openSession();
    }

    @Override
    public void onMessage(WsSession ws, String text, boolean last) {
        frame.append(text);
        if (!last) return;
        String json = frame.toString();
        frame.setLength(0);
        var o = Json.createReader(new StringReader(json)).readObject();
        if (o.getBoolean("cancel", false)) {
            Reply r = reply;
            if (r != null) r.cancel();
            return;
        }
        reply = session.send(o.getString("token"), new ReplyListener() {
            @Override
            public void onText(String piece) {
                ws.send(Json.createObjectBuilder().add("token", piece).add("eog", false).build().toString(), true);
            }

            @Override
            public void onComplete(Completion c) {
                var b = Json.createObjectBuilder().add("token", "").add("eog", true);
                if (!c.isSuccess()) b.add("error", c.reason().name().toLowerCase());
                ws.send(b.build().toString(), true);
            }
        });
    }

    @Override
    public void onClose(WsSession ws, int status, String reason) {
        sockets.remove(this);
        if (session != null) session.close();
    }

    void shutDown() {
        Reply r = reply;
        if (r != null) r.cancel();
        ws.close(WsCloseCodes.GOING_AWAY, "server shutting down");
    }
}
