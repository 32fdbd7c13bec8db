// node-llama-cpp as a peer of the benchmarks (NodeLlamaGenerator starts it).
// Usage: node peer.mjs MODEL SESSIONS TOKENS THREADS CONTEXT_PER_SESSION
// One context with SESSIONS sequences, one chat session each, greedy sampling, prebuilt CPU binaries only (never a
// build or a download). Every chat starts from an empty history (no system prompt: LlamaChatSession would add its
// default one, which the other implementations do not have), so the prompt holds the user's message only.
// Line protocol on stdin/stdout, one JSON object a line:
//   out {"ready":true,"binary":...}        once the model is loaded
//   in  {"round":"<user text>"}            every session answers it at once, each from an empty history
//   out {"replies":n,"tokens":t,"pieces":p,"ttftNanosSum":s,"elapsedNanos":e,"promptTokens":q}
//       promptTokens: the tokens each sequence held when its first token came (the prompt it decoded), summed
//   in  {"count":"<user text>"}            tokens of the prompt a chat would decode for it, nothing decoded
//   out {"promptTokens":n}
//   in  {"quit":true}                      (or end of input) disposes everything and exits
import {getLlama, LlamaChatSession, LlamaLogLevel} from "node-llama-cpp";
import {createInterface} from "node:readline";

const [modelPath, sessionsArg, tokensArg, threadsArg, contextArg] = process.argv.slice(2);
const sessions = Number(sessionsArg), tokens = Number(tokensArg), threads = Number(threadsArg);
const contextPerSession = Number(contextArg);
if (!modelPath || !(sessions > 0) || !(tokens > 0) || !(threads > 0) || !(contextPerSession > 0)) {
    console.error("usage: node peer.mjs MODEL SESSIONS TOKENS THREADS CONTEXT_PER_SESSION");
    process.exit(2);
}

const llama = await getLlama({gpu: false, build: "never", skipDownload: true, usePrebuiltBinaries: true,
    maxThreads: 0, logLevel: LlamaLogLevel.error, progressLogs: false});
const model = await llama.loadModel({modelPath, gpuLayers: 0});
const context = await model.createContext({sequences: sessions, contextSize: sessions * contextPerSession,
    threads});
const sequences = [];
for (let i = 0; i < sessions; i++) sequences.push(context.getSequence());

function send(object) {
    process.stdout.write(JSON.stringify(object) + "\n");
}

function chatSession(sequence) {
    const session = new LlamaChatSession({contextSequence: sequence, autoDisposeSequence: false});
    session.setChatHistory([]);
    return session;
}

async function answer(sequence, text, start) {
    await sequence.clearHistory();
    const session = chatSession(sequence);
    let generated = 0, pieces = 0, first = 0n, promptTokens = 0;
    await session.prompt(text, {
        maxTokens: tokens, temperature: 0,
        onToken(chunk) {
            if (first === 0n) {
                first = process.hrtime.bigint();
                promptTokens = sequence.nextTokenIndex;
            }
            generated += chunk.length;
            pieces++;
        }
    });
    session.dispose({disposeSequence: false});
    return {generated, pieces, promptTokens, ttft: (first === 0n ? process.hrtime.bigint() : first) - start};
}

async function round(text) {
    const start = process.hrtime.bigint();
    const results = await Promise.all(sequences.map(sequence => answer(sequence, text, start)));
    const elapsed = process.hrtime.bigint() - start;
    send({replies: results.length, tokens: results.reduce((sum, r) => sum + r.generated, 0),
        pieces: results.reduce((sum, r) => sum + r.pieces, 0),
        ttftNanosSum: Number(results.reduce((sum, r) => sum + r.ttft, 0n)), elapsedNanos: Number(elapsed),
        promptTokens: results.reduce((sum, r) => sum + r.promptTokens, 0)});
}

// The chat wrapper's rendering of the history a chat starts from, the user's message and the opening of the
// answer, tokenized as the chat does it before decoding.
function count(text) {
    const session = chatSession(sequences[0]);
    const history = [...session.getChatHistory(), {type: "user", text}, {type: "model", response: []}];
    const {contextText} = session.chatWrapper.generateContextState({chatHistory: history});
    session.dispose({disposeSequence: false});
    send({promptTokens: contextText.tokenize(model.tokenizer).length});
}

send({ready: true, binary: llama.buildType, threads: context.currentThreads ?? threads,
    flashAttention: context.flashAttention});
const lines = createInterface({input: process.stdin});
for await (const line of lines) {
    if (line.trim() === "") continue;
    const command = JSON.parse(line);
    if (command.quit) break;
    try {
        if (command.count !== undefined) count(command.count);
        else await round(command.round);
    } catch (e) {
        send({error: String(e && e.message || e)});
    }
}
await context.dispose();
await model.dispose();
await llama.dispose();
