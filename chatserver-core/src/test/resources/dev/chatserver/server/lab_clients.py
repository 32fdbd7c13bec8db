"""Clients in the style of the SocketLab's reference client and grader: each reply is read with recv(1024) and
json.loads on each chunk, with no framing of any kind. Python 3, standard library only.

  lab_clients.py transcripts PORT REPEATS PROMPTS_JSON [INTERVAL_MS]
      len(PROMPTS_JSON) clients at once, each a process of its own (as the lab's clients are), each asking its own
      list of prompts on one new connection, REPEATS times, all clients starting each repeat together.
      Prints one JSON line per client and repeat: {"repeat", "client", "answers", "parse_errors", "reads"}, and
      "unpaced": parse errors of reads that came sooner than INTERVAL_MS after the read before (which a server
      that paces its writes INTERVAL_MS apart cannot cause), and "refused": the chunks json.loads refused.
  lab_clients.py concurrency PORT IDLE PROMPTS_JSON
      The lab's concurrency check: the time for the clients (threads) to get their answers with no idle
      connection, then with IDLE idle connections open (best of three rounds each). Prints {"idle_open": IDLE} once they are connected and waits for a line on
      stdin (the caller's sign that the server has accepted them all), then {"without_idle": s, "with_idle": s}.

A chunk that json.loads refuses is a parse error (the lab's client would crash there); it is counted, and the rest
of the answer is recovered with a framing-tolerant decoder only so that the counting can go on.
"""
import json
import multiprocessing
import resource
import socket
import sys
import threading
import time

TIMEOUT_SECONDS = 120
# The server's least time between two messages, in seconds (the optional last argument, in milliseconds).
INTERVAL = 0.0
# How much sooner than the interval a read may follow the one before and still hold two messages (clock reading).
SLACK = 0.002


def connect(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_SECONDS)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def ask(sock, prompt, stats):
    """Sends one prompt and reads its answer the lab's way; returns the answer's text."""
    sock.sendall(json.dumps({"token": prompt, "eog": True}).encode("utf-8"))
    text = []
    last = time.monotonic()
    while True:
        chunk = sock.recv(1024)
        now = time.monotonic()
        since, last = now - last, now
        if not chunk:
            raise ConnectionError("server closed the connection")
        stats["reads"] += 1
        try:
            messages = [json.loads(chunk.decode("utf-8"))]
        except ValueError:
            stats["parse_errors"] += 1
            # Two messages written at least INTERVAL apart can share a read only when the read came at least
            # INTERVAL after the one before it: the client was late. Sooner, the server broke its pacing.
            if since < INTERVAL - SLACK:
                stats["unpaced"] = stats.get("unpaced", 0) + 1
            stats.setdefault("refused", []).append(chunk.decode("utf-8", "replace"))
            messages = recover(sock, chunk)
        for message in messages:
            if message.get("eog"):
                return "".join(text)
            text.append(message["token"])


def recover(sock, chunk):
    """Bookkeeping after a parse error only: splits the bytes into objects, reading on until the last is whole."""
    decoder = json.JSONDecoder()
    data = chunk
    while True:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            messages, at = [], 0
            try:
                while at < len(text.rstrip()):
                    while text[at].isspace():
                        at += 1
                    message, at = decoder.raw_decode(text, at)
                    messages.append(message)
                return messages
            except ValueError:
                pass
        more = sock.recv(1024)
        if not more:
            raise ConnectionError("server closed the connection")
        data += more


def conversation(port, prompts, stats):
    with connect(port) as sock:
        return [ask(sock, prompt, stats) for prompt in prompts]


def run_clients(port, prompt_lists):
    """Runs one client per prompt list at once; returns (answers, stats) per client."""
    results = [None] * len(prompt_lists)
    start = threading.Barrier(len(prompt_lists))

    def client(i):
        stats = {"parse_errors": 0, "reads": 0}
        start.wait()
        try:
            results[i] = (conversation(port, prompt_lists[i], stats), stats)
        except Exception as e:  # reported, never hidden
            stats["failure"] = repr(e)
            results[i] = (None, stats)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(prompt_lists))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def client_process(port, repeats, client, prompts, barrier, results):
    for repeat in range(repeats):
        stats = {"repeat": repeat, "client": client, "parse_errors": 0, "reads": 0, "answers": None}
        barrier.wait(TIMEOUT_SECONDS)
        try:
            stats["answers"] = conversation(port, prompts, stats)
        except Exception as e:  # reported, never hidden
            stats["failure"] = repr(e)
        results.put(stats)


def transcripts(port, repeats, prompt_lists):
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(prompt_lists))
    results = context.Queue()
    processes = [context.Process(target=client_process, args=(port, repeats, i, prompts, barrier, results))
                 for i, prompts in enumerate(prompt_lists)]
    for process in processes:
        process.start()
    for _ in range(repeats * len(prompt_lists)):
        print(json.dumps(results.get(timeout=TIMEOUT_SECONDS)), flush=True)
    for process in processes:
        process.join()


def timed_round(port, prompt_lists, failures):
    start = time.monotonic()
    failures += [stats for answers, stats in run_clients(port, prompt_lists) if answers is None]
    return time.monotonic() - start


def concurrency(port, idle, prompt_lists):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < idle + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, idle + 256), hard))
    failures = []
    run_clients(port, prompt_lists)  # warm-up
    # Best of three rounds each, so that a moment of load on a shared machine does not count as the idle cost.
    without = min(timed_round(port, prompt_lists, failures) for _ in range(3))
    idlers = [connect(port) for _ in range(idle)]
    try:
        # The kernel completes a connect before the server accepts it: the caller says when the server has them.
        print(json.dumps({"idle_open": idle}), flush=True)
        sys.stdin.readline()
        with_idle = min(timed_round(port, prompt_lists, failures) for _ in range(3))
    finally:
        for sock in idlers:
            sock.close()
    print(json.dumps({"without_idle": without, "with_idle": with_idle, "failures": failures}), flush=True)


def main():
    global INTERVAL
    command, port, number, prompts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
    if len(sys.argv) > 5:
        INTERVAL = float(sys.argv[5]) / 1000
    if command == "transcripts":
        transcripts(port, number, prompts)
    elif command == "concurrency":
        concurrency(port, number, prompts)
    else:
        sys.exit("unknown command: " + command)


if __name__ == "__main__":
    main()
