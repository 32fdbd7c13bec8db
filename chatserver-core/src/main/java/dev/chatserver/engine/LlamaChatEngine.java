package dev.chatserver.engine;

import dev.chatserver.llama.ChatMessage;
import dev.chatserver.llama.LlamaModel;
import dev.chatserver.llama.LlamaRuntime;
import dev.chatserver.llama.ModelInfo;
import dev.chatserver.metrics.ChatMetrics;
import dev.chatserver.metrics.EngineLoad;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@link ChatEngine}: a session registry and the command queue to the engine thread, which runs an
 * {@link EngineLoop}. Public methods are called from any thread; they never make native calls and never wait for
 * the engine thread, except {@link #close()}, which joins it.
 */
final class LlamaChatEngine implements ChatEngine {

    private static final System.Logger LOG = System.getLogger(LlamaChatEngine.class.getName());

    private final EngineConfig config;
    private final EngineInfo info;
    private final Map<String, EngineSession> sessions = new ConcurrentHashMap<>();
    private final AtomicLong sessionCounter = new AtomicLong();
    /** Numbers stateless requests, for their ids in logs ({@code r-1}, {@code r-2}, ...). */
    private final AtomicLong requestCounter = new AtomicLong();
    private final Queue<EngineCommand> commands = new ConcurrentLinkedQueue<>();
    /** Guards {@link #accepting} against the engine thread's last drain of the command queue. */
    private final Object postLock = new Object();
    private boolean accepting = true;
    /** Why the engine thread stopped when it failed; null while it runs and after an orderly close. */
    private volatile String failure;
    private final EngineLoop loop;
    private final Thread thread;
    private final ChatMetrics metrics;
    /** Lets scrapes read {@link #stats()}; closed with the engine. */
    private final ChatMetrics.Registration load;

    private LlamaChatEngine(EngineConfig config, LlamaModel model, ChatMetrics metrics, boolean traceLogits) {
        this.config = config;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        ModelInfo modelInfo = model.info();
        this.info = new EngineInfo(modelInfo.name(), modelInfo.architecture(), modelInfo.parameters(),
                config.contextPerSession(), config.parallel(), config.maxTokens(), LlamaRuntime.current().describe());
        this.loop = new EngineLoop(config, model, this, traceLogits);
        this.thread = Thread.ofPlatform().name("chatserver-engine").daemon(true).unstarted(loop);
        this.load = metrics.trackEngine(new StatsLoad());
    }

    /**
     * Loads the model, creates the context and starts the engine thread.
     *
     * @param config the model and the limits
     * @return the running engine
     */
    static ChatEngine start(EngineConfig config) {
        return start(config, ChatMetrics.none(), false);
    }

    static ChatEngine start(EngineConfig config, ChatMetrics metrics) {
        return start(config, metrics, false);
    }

    static LlamaChatEngine start(EngineConfig config, boolean traceLogits) {
        return start(config, ChatMetrics.none(), traceLogits);
    }

    /**
     * @param traceLogits digest the logits of every sampled token into {@link ReplyHandle#logitsDigest()}, to check
     *                    that answers are bit-identical whatever other sessions do (costs a copy of the logits
     *                    per token)
     */
    static LlamaChatEngine start(EngineConfig config, ChatMetrics metrics, boolean traceLogits) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(metrics, "metrics");
        LlamaModel model = EngineSetup.loadModel(config);
        LlamaChatEngine engine;
        try {
            engine = new LlamaChatEngine(capContext(config, model.info()), model, metrics, traceLogits);
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
        }
        engine.thread.start();
        LOG.log(Level.INFO, "engine started: {0} ({1}), {2} slots of {3} tokens, {4} threads, {5}",
                engine.info.modelName(), engine.info.architecture(), String.valueOf(engine.info.parallel()),
                String.valueOf(engine.info.contextPerSession()), String.valueOf(config.threads()),
                engine.info.runtime());
        return engine;
    }

    /**
     * A model answers sensibly only within the context it was trained for (positions beyond it are unknown to it), so
     * a larger context per session is capped to it, with a warning; a model that does not say counts as trained for
     * any.
     */
    static EngineConfig capContext(EngineConfig config, ModelInfo model) {
        int trained = model.trainingContext();
        if (trained <= 0 || config.contextPerSession() <= trained) return config;
        LOG.log(Level.WARNING, "context per session capped to {0} tokens (asked for {1}): {2} was trained for a "
                + "context of {0}", String.valueOf(trained), String.valueOf(config.contextPerSession()), model.name());
        return config.withContextPerSession(trained);
    }

    EngineConfig config() {
        return config;
    }

    @Override
    public ChatSession openSession() {
        while (true) {
            String id = "s-" + sessionCounter.incrementAndGet();
            EngineSession session = register(id);
            if (session != null) return session;
        }
    }

    @Override
    public ChatSession openSession(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) throw new IllegalArgumentException("a session name must not be blank");
        EngineSession session = register(name);
        if (session == null) throw new SessionNameInUseException(name);
        return session;
    }

    /** @return the new session, or null if the id is taken */
    private EngineSession register(String id) {
        if (!isAccepting()) throw new IllegalStateException(closedReason());
        EngineSession session = new EngineSession(id, this, initialMessages());
        return sessions.putIfAbsent(id, session) == null ? session : null;
    }

    private List<ChatMessage> initialMessages() {
        return config.systemPrompt().map(p -> List.of(new ChatMessage(ChatMessage.SYSTEM, p))).orElse(List.of());
    }

    @Override
    public Reply complete(List<ChatMessage> messages, RequestOptions options, ReplyListener listener) {
        List<ChatMessage> conversation = List.copyOf(messages);
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(listener, "listener");
        if (conversation.isEmpty()) throw new IllegalArgumentException("a request needs at least one message");
        // A private session, never registered: it carries the request's id, its one reply and the engine.
        EngineSession owner = new EngineSession("r-" + requestCounter.incrementAndGet(), this, List.of());
        ReplyHandle reply = new ReplyHandle(owner, new ReplyHandle.Stateless(conversation, options), listener,
                config.bufferPieces(), this::wake);
        if (!submit(reply)) refuseClosed(reply);
        return reply;
    }

    /** @return false if the engine no longer takes commands (the reply must then be ended by the caller) */
    boolean submit(ReplyHandle reply) {
        return post(new EngineCommand.Submit(reply));
    }

    void cancel(ReplyHandle reply) {
        post(new EngineCommand.Cancel(reply));
    }

    /** Frees the session's name at once; the engine thread then ends its reply and frees its KV cache. */
    void closeSession(EngineSession session) {
        sessions.remove(session.id(), session);
        post(new EngineCommand.CloseSession(session));
    }

    int openSessions() {
        return sessions.size();
    }

    private boolean post(EngineCommand command) {
        synchronized (postLock) {
            if (!accepting) return false;
            commands.add(command);
        }
        wake();
        return true;
    }

    private boolean isAccepting() {
        synchronized (postLock) {
            return accepting;
        }
    }

    /** Wakes the engine thread if it is parked: new commands, or room in a paused reply's buffer. */
    void wake() {
        LockSupport.unpark(thread);
    }

    /** @return the next command for the engine thread, or null */
    EngineCommand nextCommand() {
        return commands.poll();
    }

    boolean hasCommands() {
        return !commands.isEmpty();
    }

    /**
     * Stops accepting commands (engine thread, at shutdown).
     *
     * @param failure why the engine thread failed, or null for an orderly close
     * @return the commands that were still queued
     */
    List<EngineCommand> stopAccepting(String failure) {
        synchronized (postLock) {
            this.failure = failure;
            accepting = false;
            List<EngineCommand> rest = List.copyOf(commands);
            commands.clear();
            return rest;
        }
    }

    /** @return whether one-row steps get a padding row on this model (decided at start; tests) */
    boolean padsOneRowSteps() {
        return loop.padding();
    }

    /**
     * Ends a reply the engine no longer takes: {@code CANCELLED} after {@link #close()}, {@code ERROR} after the
     * engine thread failed (the reply did not choose to stop; the engine broke).
     */
    void refuseClosed(ReplyHandle reply) {
        String why = failure;
        reply.finish(why == null ? FinishReason.CANCELLED : FinishReason.ERROR, closedReason(), ReplyStats.NONE);
    }

    private String closedReason() {
        String why = failure;
        return why == null ? "the engine is closed" : why + "; the engine is closed";
    }

    @Override
    public EngineInfo info() {
        return info;
    }

    @Override
    public EngineStats stats() {
        return loop.stats();
    }

    @Override
    public boolean isRunning() {
        return isAccepting() && thread.isAlive();
    }

    @Override
    public ChatMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        post(new EngineCommand.Shutdown());
        if (Thread.currentThread() == thread) return;
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        sessions.clear();
        load.close();
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** The engine's published stats as the metrics' sampled gauges; read on the scraping thread. */
    private final class StatsLoad implements EngineLoad {
        @Override
        public int queuedReplies() {
            return loop.stats().queuedReplies();
        }

        @Override
        public int activeReplies() {
            return loop.stats().activeReplies();
        }

        @Override
        public int kvCellsInUse() {
            return loop.stats().kvCellsInUse();
        }

        @Override
        public int openSessions() {
            return LlamaChatEngine.this.openSessions();
        }
    }
}
