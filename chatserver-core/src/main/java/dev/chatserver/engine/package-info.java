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
 * The JVM needs {@code --enable-native-access=ALL-UNNAMED} (the library calls llama.cpp through the foreign function
 * API; it uses no preview features). Every reply ends with exactly one
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
 * decoding their prompt, up to the batch size (with batch invariance at most 62 tokens, see below); decodes once; samples every slot that got logits. A session may send
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
 * A session's greedy answer is the same whether it runs alone or next to other sessions, and after its cache was
 * evicted and decoded again — not just the same text, the same logits bit for bit. Measured on llama.cpp v0.5.0 on
 * the CPU (AVX2 kernels; {@code BatchInvarianceTest}, {@code BatchShapeProbeTest} and {@code FlashAttentionRowsTest}
 * print the numbers), these things can make a sequence's logits depend on what else is decoded:
 * <ol>
 *   <li><b>Where its cells lie in a shared cache.</b> Without flash attention every cell of the cache window takes
 *       part in the attention sums (other sequences' cells with weight zero), so their placement changes how the
 *       sums are grouped (stories model: 40 of 41 steps identical, 1.9e-6 apart). The engine turns flash attention
 *       on: its CPU kernel skips masked cells (41 of 41).</li>
 *   <li><b>One-row matrix products</b> — for some weight types. A batch of one token, and the output layer of a batch
 *       that wants the logits of one token only, are multiplied on a matrix-vector path. With F32 weights it rounds
 *       differently from two or more rows (up to 1e-3 apart, tiny synthetic and stories model), with F16 too
 *       (1e-6); with Q8_0 weights it gives the same bits (tiny and 256-wide synthetic models), with Q4_K weights
 *       too (256-wide synthetic model, all matrices Q4_K: one row, two rows with or without a second row of logits,
 *       and 3 to 8 rows all equal, so {@code RowPathCheck} decides "no padding") — loaded as the engine loads it,
 *       without repacked weights (item 5). Rows 2 to 8 always agree with each other, in both KV layouts. So the
 *       engine thread checks the model once, before its first step ({@code RowPathCheck}: one token alone, beside a
 *       row with logits, beside one without; requests sent meanwhile wait in the queue) and only where the
 *       paths differ it never decodes a batch of one token nor one with a single row of logits: it adds a padding
 *       token of an extra sequence id, with logits, and frees its cell right after.</li>
 *   <li><b>Long batches.</b> From 64 rows of a micro-batch on, ggml's CPU flash attention switches to another
 *       (tiled) kernel, which rounds differently: a 100-token history decoded in chunks of 2 to 63 tokens gives the
 *       same next-token logits, in chunks of 64 or more it does not (0.006 apart at 64 rows on F32, 0.1 on Q8_0, 0.2
 *       on Q4_K; 0.02, 0.2 and 0.4 for the whole history at once). A session decoded again after an eviction (one
 *       long prompt batch) would not equal the one built step by step — on v0.5.0 the ten-sessions tests failed
 *       on every model until the engine kept its steps below that size. With batch invariance a step carries at
 *       most 62 tokens plus the padding row (or drafts).</li>
 *   <li><b>Free cells below a sequence.</b> llama.cpp puts new tokens into the first free cells, which after a
 *       removal (an eviction, a closed session, a cancelled reply's tail) can lie below a sequence's older cells;
 *       flash attention visits cells in cache order, and a different order rounds differently (a neighbour removed
 *       below: 1 of 41 steps identical, 0.02 apart). After every removal the engine compacts the cache: it copies
 *       each cached sequence out (positions, keys and values), clears the cache and copies them back, contiguous and
 *       in order, so new tokens always land above all older ones. The copy costs memory bandwidth, no decoding, and
 *       runs once per removal, never per step.</li>
 *   <li><b>Repacked weights.</b> By default llama.cpp lets ggml's CPU backend copy the weights it has interleaved
 *       kernels for into its own layout ({@code use_extra_bufts}); on AVX2, of the synthetic writer's types, Q4_K.
 *       Their kernel multiplies rows in groups of four, so a row among four or more rows is computed otherwise than
 *       among one to three: on the 256-wide Q4_K model the watched sequence's logits beside 3 to 61 neighbour rows
 *       (without logits) differed from its lone logits in 7 of 12 steps, and in all 12 once four rows wanted logits,
 *       by up to 0.2 ({@code RepackedWeightsTest}); one to three rows agreed. Ten sessions on two or four slots
 *       then failed the transcript tests. The engine loads the model without repacking
 *       ({@code EngineSetup.INVARIANT_MODEL_PARAMS}): every batch of 1 to 62 rows then agrees, and all invariance
 *       tests pass on Q4_K as on Q8_0.</li>
 * </ol>
 * <b>The KV layout.</b> v0.5.0 can give each sequence its own stream of cells ({@code kv_unified = false}, its
 * default). That removes causes 1 and 4 by itself (41 of 41 steps identical without flash attention and without
 * compaction), but llama.cpp then splits a batch into micro-batches of consecutive sequence ids with equal token
 * counts: a padded step of sequences 0 and 3 became two one-row micro-batches (1 of 41 identical on F32), and a step
 * of two sessions whose ids are not neighbours, or of a prompt chunk beside generating sessions, reads the weights
 * once per micro-batch. The engine therefore keeps the shared pool ({@code kv_unified = true}) and the compaction.
 *
 * <p>With these, a token's keys and values depend only on the token, its position and its own sequence's earlier
 * cells, which is also why a re-decoded history equals the cached one. The tests compare transcripts of sessions alone
 * and among up to ten others (with evictions), with parallel 1, 2 and 4, on the tiny synthetic model in F32, F16 and
 * Q8_0, on its 256-wide variant in Q4_K and on the stories model (with one decode thread), and require the same text
 * from bit-identical logits (a test-only trace digests the logits of every sampled token). Sampling with a temperature
 * is reproducible too: each slot's sampler is reset to the configured seed when a reply starts.
 *
 * <h2>What the invariance costs</h2>
 * On Q8_0 and Q4_K models nothing per step: the one-row path agrees, so a lone session decodes one row per step
 * like llama.cpp's own loop. Q4_K models pay for the unrepacked weights in prompt decoding instead: on the
 * Qwen2.5-1.5B shape in Q4_K, with one decode thread on the loaded 2-core machine, a 62-token prompt chunk took
 * 3.1 to 3.3 s of CPU against 2.0 to 2.2 s repacked (about 1.5 times), a one-row step 73 to 79 ms against 76 to
 * 94 ms (no difference beyond the noise), and loading 0.3 to 1.9 s against 4.0 to 6.3 s (repacking copies the
 * weights at load). The start-up check costs one six-token prompt and three one-token steps. The cap of 62
 * tokens per step costs prompt decoding a little on large models: a 1000-token prompt takes 17 steps instead of 2,
 * each reading the weights once more (on the Qwen2.5-1.5B shape in Q8_0, 1.6 GB per step, small next to the
 * arithmetic of 62 rows). On F32 and F16 models (the stories model, the tiny synthetic one) a lone session's steps
 * carry the padding row: two rows on the matrix-matrix path instead of one on the matrix-vector path; on the
 * llama.cpp b4916 build that was 2.1 times a one-row step on the Qwen2.5-1.5B shape and 2.5 to 3.3 times on the
 * {@code small} bench model, on v0.5.0 the bench's {@code tiny} and {@code stories260k} rows measure it. Among two or
 * more generating sessions there is no padding. The cache compaction runs once per removal. {@link
 * dev.chatserver.engine.EngineConfig#batchInvariant()} set to false drops all of it (padding, flash attention, the
 * step cap, the unrepacked weights), for deployments that accept answers whose last bits (and so, rarely, a greedy
 * token) depend on the other sessions and on evictions.
 *
 * <h2>Drafting in place of the padding row</h2>
 * {@link dev.chatserver.engine.EngineConfig#maxDraftTokens()} (off by default) puts the padding row to use (on models
 * that need no padding the guesses are extra rows): when a step's only row with logits is a generating session's next
 * token, the batch carries instead guesses of the tokens
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
