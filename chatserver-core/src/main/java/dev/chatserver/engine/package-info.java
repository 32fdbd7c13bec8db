/**
 * The chat engine: many conversations with one model at once, decoded together on one native context.
 *
 * <h2>Embedding it</h2>
 * <pre>{@code
 * EngineConfig config = EngineConfig.builder(Path.of("model.gguf"))
 *         .parallel(4)                       // conversations decoded together
 *         .systemPrompt("You are a helpful assistant.")
 *         .build();
 * try (ChatEngine engine = ChatEngine.create(config);
 *      ChatSession session = engine.openSession()) {
 *     Reply reply = session.send("Hello! Who are you?", new ReplyListener() {
 *         public void onText(String piece) { System.out.print(piece); }          // whole characters
 *         public void onComplete(Completion end) { System.out.println(" [" + end.reason() + "]"); }
 *     });
 *     Completion done = reply.await();         // or reply.cancel()
 *     System.out.println(done.stats());
 * }
 * }</pre>
 * The JVM needs {@code --enable-preview --enable-native-access=ALL-UNNAMED} (the library is built with Java 25
 * preview features and calls llama.cpp through the foreign function API). Every reply ends with exactly one
 * {@link dev.chatserver.engine.ReplyListener#onComplete}; failures are completions ({@code BUSY}, {@code ERROR},
 * {@code CONTEXT_FULL}), never exceptions on the engine thread.
 *
 * <h2>Threads</h2>
 * One platform thread, {@code chatserver-engine}, owns the llama.cpp context and makes every native call on it
 * (decode, sampling, cache operations, and also tokenizing and chat formatting: they are cheap next to a decode step
 * and keeping them there leaves one owner for all native state). Other threads talk to it through a command queue
 * (send, cancel, close a session, shut down) and it parks when there is nothing to decode. Each reply has a
 * delivery virtual thread that calls its listener; between the two sits a bounded buffer of
 * {@link dev.chatserver.engine.EngineConfig#bufferPieces()} pieces. When it is full the engine leaves that session
 * out of the next batches (holding its sampled token) until the listener catches up: a slow or blocked client
 * pauses only its own session.
 *
 * <h2>Scheduling</h2>
 * A <em>slot</em> is one KV sequence id in {@code [0, parallel)}; the context holds {@code contextPerSession ×
 * parallel} cells (plus one for a padding token, see below). A sent message is a <em>task</em>; tasks wait for a
 * slot in a FIFO <em>deferred queue</em> of at most {@link dev.chatserver.engine.EngineConfig#maxQueued()} (beyond
 * it: {@code BUSY}, "server busy"). Each step
 * builds one batch from the pending token of every generating slot first, then prompt chunks of slots still
 * decoding their prompt, up to the batch size; decodes once; samples every slot that got logits. A session may send
 * one message at a time; a second one while the first is answered completes at once with {@code BUSY}.
 *
 * <h2>Conversations and the cache</h2>
 * A session keeps its messages, the tokens that spell them (answers exactly as sampled) and the list of tokens its
 * KV sequence holds. A new message is formatted with the model's chat template (ChatML when it has none); when the
 * new text starts with the text the session's tokens spell, only the new suffix is tokenized and appended, and only
 * the part of the token list not yet in the cache is decoded (the second turn's
 * {@link dev.chatserver.engine.ReplyStats#promptTokens()} counts just that). The cache list is always exactly what
 * decoding a prefix of those tokens gives, so a session whose cache was evicted (the least recently used idle
 * session loses its slot when a new one needs it) decodes its token history again and continues as if nothing had
 * happened: its answers are bit for bit the same.
 *
 * <h2>Stateless requests and prompt caching</h2>
 * {@link dev.chatserver.engine.ChatEngine#complete} takes a whole conversation (an HTTP API's request) without a
 * session. Its prompt is tokenized whole, exactly as a cold request's, so its answer never depends on the cache; it
 * then runs in the idle slot whose stateless cache shares the longest prefix with that prompt (when the prefix is at
 * least half of the cache: a continuation shares all of it, a mere common system prompt little) and decodes only the
 * rest; else it starts a fresh cache in a free slot or in the least recently used idle one (the same eviction as
 * sessions). A conversation replayed turn by turn thus decodes only each new turn: the previous prompt and answer
 * are cached ({@link dev.chatserver.engine.ReplyStats#cachedTokens()}), unless the answer's text tokenizes
 * differently from the tokens sampled, where the reuse stops. Such a request has its own sampler chain (temperature,
 * top-p, seed, llama.cpp's penalties sampler), commits nothing, and never drops turns: one that leaves no room for an
 * answer completes with {@code CONTEXT_FULL}. Stateless caches are dropped when evicted.
 *
 * <h2>The context window</h2>
 * A prompt must leave room for an answer: prompt tokens + {@code min(maxTokens, contextPerSession / 4)} ≤
 * {@code contextPerSession}. While it does not, the oldest user/assistant turn is dropped (system prompt kept), the
 * conversation is tokenized again and the reply's stats count the dropped turns. A message that does not fit even
 * alone completes with {@code CONTEXT_FULL} and leaves the conversation unchanged. An answer stops at the window's
 * end with {@code MAX_TOKENS} (its budget is {@code min(maxTokens, contextPerSession - promptTokens)}); the next
 * message then drops turns. Nothing ever aborts the process.
 *
 * <h2>Cancellation</h2>
 * {@link dev.chatserver.engine.Reply#cancel()}, closing the session or closing the engine take effect before the
 * next decode step, also while the reply is queued or its prompt is being decoded. A reply that did not end with
 * {@code END} or {@code MAX_TOKENS} is not kept: the conversation stays as it was before the message was sent
 * (neither the message nor a partial answer enters the history). What was decoded stays cached as far as it matches
 * the next prompt.
 *
 * <h2>Answers do not depend on other sessions</h2>
 * A session's greedy answer is the same whether it runs alone or next to other sessions — not just the same text,
 * the same logits bit for bit. Measured on llama.cpp b4916 on the CPU ({@code BatchInvarianceTest} prints it), three
 * things made a sequence's logits depend on its neighbours, each by up to about 0.02:
 * <ol>
 *   <li><b>Where its cells lie in the shared cache.</b> Without flash attention every cell of the cache window takes
 *       part in the attention sums (other sequences' cells with weight zero), so their placement changes how the
 *       sums are grouped. The engine turns flash attention on: its CPU kernel skips masked cells entirely.</li>
 *   <li><b>One-row matrix products.</b> One row is multiplied on another path (matrix-vector) than two or more,
 *       with different rounding: a batch of one token, and the output layer of a batch that wants the logits of
 *       one token only. A session alone decodes one token per step; a session among others does not. So the engine
 *       never decodes a batch of one token nor one with a single row of logits: it adds a padding token of an extra
 *       sequence id, with logits, and frees its cell right after. Beyond that, neither the size of a batch nor a
 *       row's place in it changes that row's results.</li>
 *   <li><b>Free cells below a sequence.</b> llama.cpp puts new tokens into the first free cells, which after a
 *       removal (an eviction, a closed session, a cancelled reply's tail) can lie below a sequence's older cells;
 *       flash attention visits cells in cache order, and a different order rounds differently. After every removal
 *       the engine compacts the cache: it copies each cached sequence out (positions, keys and values), clears the
 *       cache and copies them back, contiguous and in order, so new tokens always land above all older ones. The
 *       copy costs memory bandwidth, no decoding: the used part of the cache, twice (for a 1.5B Q8_0 model with
 *       four full 2048-token slots, 2 × 230 MB: less memory than one decode step reads, 1.6 GB of weights).</li>
 * </ol>
 * With these, a token's keys and values depend only on the token, its position and its own sequence's earlier
 * cells, which is also why a re-decoded history equals the cached one. The tests compare transcripts of sessions
 * alone and among up to ten others, with parallel 1, 2 and 4, on the synthetic and the stories model (with one
 * decode thread; a run with two gave the same), and require the same text from bit-identical logits (a test-only
 * trace digests the logits of every sampled token); without the cache compaction, for example, six of those
 * comparisons fail. Sampling with a temperature is reproducible too: each slot's sampler is reset to the configured
 * seed when a reply starts.
 *
 * <h2>What the invariance costs</h2>
 * Only the padding row costs noticeably, and only a session generating alone: each of its steps computes two rows
 * on llama.cpp's matrix-matrix path instead of one on its matrix-vector path. On a 2-core CPU with one decode thread
 * a two-row step cost 2.1 times a one-row step on the Qwen2.5-1.5B shape in Q8_0 and 2.5 to 3.3 times on the
 * {@code small} bench model; a lone session (32-token replies) made about 130 tokens/s padded against 300 unpadded
 * on {@code small} (llama.cpp's own loop: about 300), 3.8 against 7 on the Qwen2.5-1.5B shape. Padding without
 * logits changed nothing (the output layer is a small part), flash attention on or off a few percent. The cache
 * compaction runs once per removal (a closed session, an eviction), never per step: the padding's cell is freed
 * right after each decode and the next batch fills it again, so it leaves no hole. Among two or more generating
 * sessions there is no padding and no cost. {@link dev.chatserver.engine.EngineConfig#batchInvariant()} set to false
 * drops the padding and flash attention, for deployments that serve mostly one user at a time and accept answers
 * whose last bits (and so, rarely, a greedy token) depend on the other sessions and on evictions.
 *
 * <h2>Drafting in place of the padding row</h2>
 * {@link dev.chatserver.engine.EngineConfig#maxDraftTokens()} (off by default) puts the padding row to use: when a
 * step's only row with logits is a generating session's next token, the batch carries instead guesses of the tokens
 * that follow it, each with logits, at the next positions of the same sequence. The guesses come from prompt lookup:
 * the latest earlier occurrence of the conversation's last three (else two) tokens in its own prompt and answer, and
 * what followed it; one token at first, twice as many after a step whose guesses all came true, one again after a
 * miss. The slot's sampler then samples the session's row and, while the token it gives equals the next guess, that
 * guess's row: causal masking (with flash attention skipping masked cells) keeps each row independent of the rows
 * after it, so a confirmed guess's row is bit for bit what the next step would compute ({@code BatchInvarianceTest}
 * checks both at the level of raw logits), and sampling it advances the sampler exactly as that step would, with a
 * temperature too. The guesses come last in the batch, so the cells of
 * those not confirmed are the top-most of the cache and are freed without leaving a hole. A step may so deliver
 * several tokens; the guesses are limited to the answer's remaining budget (which keeps them inside the window) and
 * to the room left in the reply's buffer. Tests compare pieces, finish reasons and logits digests with and without
 * drafting, alone and among other sessions, after evictions and cancels, with answers cut by the budget or the
 * window; {@link dev.chatserver.engine.ReplyStats#draftedTokens()} and
 * {@link dev.chatserver.engine.ReplyStats#acceptedDrafts()} count the guesses.
 *
 * <p>It does not close the gap of the padding row on a CPU: a drafted row is not free like the padding row, which
 * attends to one cell, but attends to the whole conversation and is multiplied like any other row. Measured on a
 * 2-core CPU with one decode thread and 400 cached tokens, one drafted row cost more than the padding row by 0.1
 * ({@code small}), 0.5 (tiny) and 0.65 (stories) of a padded step, each further one about as much again, and nothing
 * more on the Qwen2.5-1.5B shape (212 against 221 ms). About half of the guesses from two or three matching tokens came true on
 * the stories model (a third in a three-turn conversation), almost none on the random-weight bench models, which
 * rarely repeat two tokens in a row; counting guesses from a single matching token too, only one in six came true. Lone-session
 * tokens/s with drafting stayed within the noise of padding on one-turn stories and synthetic answers and fell by
 * about 15% on the third turn of a stories conversation. Drafting pays where guesses come true more often than a
 * drafted row costs: answers that copy from the conversation (quoting, editing, code) and larger models, whose steps
 * are dominated by reading the weights.
 *
 * <h2>Logging</h2>
 * {@link java.lang.System.Logger} named after the classes: engine start and stop at {@code INFO}; replies, evictions
 * and session closes at {@code DEBUG} with the session id; decode failures at {@code WARNING}. Never a line per
 * token.
 */
package dev.chatserver.engine;
