"""Benchmark: Cloud Vision per-image loop vs ``unocr.read_many(..., backend="gcv")``.

A gRPC ``ImageAnnotator`` server on 127.0.0.1 adds 50 ms of latency to every
call (a fast real round trip). The same 64 images go through

- the plain loop a user writes after Google's sample: one
  ``client.text_detection(image=...)`` per image, one after another;
- ``unocr.read_many(images, backend="gcv")``: 16 images per
  ``BatchAnnotateImages`` call, 4 calls in flight, the JPEG files sent as they
  are (never decoded on the client), and every response converted to a unocr
  Page (lines synthesised, word geometry canonicalised; the lines' shapes, like
  the symbols, are made on first access). Its threads convert one at a time;
  the dense page runs once more with them converting at once, to show what
  taking turns saves.

Two workloads: replies of a few words (the network-bound case), and the real
dense DOCUMENT_TEXT_DETECTION response of the test fixture (332 words, 1154
symbols per page: unocr's conversion to Pages is then part of the time).
A Page's symbols are read with the rest and built on first access (the
default), so the dense page runs twice: as returned, and with every symbol then
accessed (the cost of converting everything); and once more with
``symbols=False``.

First it prints what converting that dense response costs against the floor
any client pays: parsing the response bytes, and parsing them plus a walk over
every symbol of the raw protobuf (reading its text and vertices). unocr converts
a message (``response_to_blocks``, what a caller holding one does) and the
answer's bytes as the server sent them (what ``read_many`` does). Each is
timed in this thread's CPU seconds, in turns, best of many rounds, so other
work on the machine hardly shifts the ratios. Then what a converted dense page
holds in memory (tracemalloc): with its symbols pending, built, and without.

Last, the ceiling on the dense page: clients that build nothing, sending the
same batches as unocr (16 images a request, 4 in flight) over a bare gRPC
channel, and after parsing each response reading nothing, reading what the
least Page needs (each word's text, box, confidence and break), or walking
every symbol. No client that gives the words' texts can beat the middle one.

Run: ``.venv/bin/python bench/gcv.py`` (add ``--images N --latency S``).
The server runs in its own process, so only the client's work is measured.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import grpc
from google.cloud import vision, vision_v1
from google.cloud.vision_v1.services.image_annotator.transports import (
    ImageAnnotatorGrpcTransport,
)

import unocr
from unocr.backends.gcv import backend as gcv_backend
from unocr.backends.gcv.convert import response_to_blocks, wire_response_to_blocks
from unocr.model import Block

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "gcv"
SERVER = ROOT / "tests" / "gcv_server.py"


@contextmanager
def server(reply: str, latency: float) -> Iterator[tuple[str, list[int]]]:
    """A loopback server in its own process (its CPU does not slow the client)."""
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), "--reply", reply, "--delay", str(latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    address = proc.stdout.readline().strip()
    calls: list[int] = []
    try:
        yield address, calls
    finally:
        proc.stdin.close()
        out = proc.stdout.read()
        proc.wait(timeout=30)
        calls.extend(
            int(line.split()[1]) for line in out.splitlines() if line.startswith("call")
        )


def plain_loop(address: str, paths: list[Path]) -> tuple[float, float, int]:
    """Google's sample, in a loop: one text_detection call per image."""
    channel = grpc.insecure_channel(address)
    client = vision.ImageAnnotatorClient(
        transport=ImageAnnotatorGrpcTransport(channel=channel)
    )
    client.text_detection(image=vision.Image(content=b"warm-up"))
    start = time.perf_counter()
    cpu = time.process_time()
    words = 0
    for path in paths:
        with open(path, "rb") as f:
            image = vision.Image(content=f.read())
        response = client.text_detection(image=image)
        words += max(0, len(response.text_annotations) - 1)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    channel.close()
    return elapsed, cpu, words


def unocr_many(
    address: str,
    paths: list[Path],
    *,
    every_symbol: bool = False,
    turns: bool = True,
    **options: object,
) -> tuple[float, float, int]:
    """``read_many`` of ``paths``; ``turns=False``: its threads convert at once."""
    saved = gcv_backend._CONVERTING
    if not turns:
        gcv_backend._CONVERTING = nullcontext()
    try:
        return _unocr_many(address, paths, every_symbol, options)
    finally:
        gcv_backend._CONVERTING = saved


def _unocr_many(
    address: str, paths: list[Path], every_symbol: bool, options: dict[str, object]
) -> tuple[float, float, int]:
    with unocr.get_backend(
        "gcv", endpoint=address, insecure=True, feature="text", **options
    ) as backend:
        backend.read(paths[0])  # connect, as the loop's warm-up call does
        start = time.perf_counter()
        cpu = time.process_time()
        pages = backend.read_many(paths)
        if every_symbol:  # built on first access: count that in
            for page in pages:
                assert isinstance(page, unocr.Page)
                symbols_seen(page.blocks)
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu
    words = sum(len(p.words) for p in pages if p)
    return elapsed, cpu, words


def floor_client(
    address: str, paths: list[Path], read: str
) -> tuple[float, float, int]:
    """A client that builds nothing, batching as unocr does (16 a request, 4 in flight).

    ``read``: "nothing" after parsing, "words" (what the least Page needs),
    or "symbols" (:func:`raw_walk`).
    """
    channel = grpc.insecure_channel(
        address, options=[("grpc.max_receive_message_length", -1)]
    )
    call = channel.unary_unary(
        "/google.cloud.vision.v1.ImageAnnotator/BatchAnnotateImages",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=None,  # the bytes: parsed below, as timed work
    )
    request_type = vision_v1.BatchAnnotateImagesRequest.pb()
    parse = vision_v1.BatchAnnotateImagesResponse.pb().FromString
    text = int(vision_v1.Feature.Type.TEXT_DETECTION)
    visit = {"nothing": lambda a: 0, "words": words_read, "symbols": raw_walk}[read]

    def send(batch: list[Path]) -> int:
        request = request_type()
        for path in batch:
            item = request.requests.add()
            item.image.content = path.read_bytes()
            item.features.add().type_ = text
        answers = parse(call(request, timeout=60)).responses
        return sum(visit(a) for a in answers)

    send(paths[:1])  # connect
    start = time.perf_counter()
    cpu = time.process_time()
    with ThreadPoolExecutor(4) as pool:
        seen = sum(
            pool.map(send, [paths[i : i + 16] for i in range(0, len(paths), 16)])
        )
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    channel.close()
    return elapsed, cpu, seen


def words_of(message: Any) -> Iterator[Any]:
    """Every word message of a response, in the API's order."""
    for page in message.full_text_annotation.pages:
        for block in page.blocks:
            for para in block.paragraphs:
                yield from para.words


def words_read(message: object) -> int:
    """The least a Page needs: each word's text (its symbols'), box, confidence, break."""
    n = 0
    for word in words_of(message):
        symbols = word.symbols
        n += len("".join([s.text for s in symbols]))
        for v in word.bounding_box.vertices:
            n += v.x + v.y
        n += word.confidence > 0
        n += symbols[-1].property.detected_break.type_
    return n


def raw_walk(message: object) -> int:
    """What a client that builds nothing does: visit every symbol's text and vertices."""
    n = 0
    for word in words_of(message):
        for sym in word.symbols:
            n += len(sym.text)
            for v in sym.bounding_box.vertices:
                n += v.x + v.y
    return n


def symbols_seen(blocks: Sequence[Block]) -> int:
    """Touch every symbol of converted blocks (and so build deferred ones)."""
    return sum(
        len(s.text)
        for b in blocks
        for line in b.lines
        for w in line.words
        for s in w.symbols
    )


def memory() -> None:
    """What a converted dense page holds: symbols pending, built, or left out."""
    import gc
    import tracemalloc

    from unocr.backends.gcv.convert import response_to_page

    text = (FIXTURES / "document.response.json").read_text(encoding="utf-8")
    data = vision_v1.AnnotateImageResponse.pb(
        vision_v1.AnnotateImageResponse.from_json(text, ignore_unknown_fields=True)
    ).SerializeToString()
    parse = vision_v1.AnnotateImageResponse.pb().FromString
    print("memory a converted dense page holds (tracemalloc, mean of 10 pages):")
    for name, symbols, build in [
        ("symbols pending (as returned)", True, False),
        ("every symbol built", True, True),
        ("symbols=False", False, False),
    ]:
        _ = response_to_page(parse(data), symbols=symbols).symbols  # warm caches
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        pages = [response_to_page(parse(data), symbols=symbols) for _ in range(10)]
        if build:
            for page in pages:
                page.symbols  # noqa: B018  (built on first access)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        print(f"  {name:<44} {held / len(pages) / 1000:7.0f} kB")
    print()


def received(data: bytes, symbols: bool = True) -> list[Block]:
    """An answer converted from its wire bytes, as ``read_many`` converts it."""
    blocks, _ = wire_response_to_blocks(data, width=1, height=1, symbols=symbols)
    return blocks


def conversion(rounds: int) -> None:
    """Converting the dense response vs parsing it and walking its symbols."""
    text = (FIXTURES / "document.response.json").read_text(encoding="utf-8")
    message = vision_v1.AnnotateImageResponse.pb(
        vision_v1.AnnotateImageResponse.from_json(text, ignore_unknown_fields=True)
    )
    data = message.SerializeToString()
    parse = type(message).FromString
    cases = {
        "parse the bytes": lambda: parse(data),
        "parse + raw walk of every symbol": lambda: raw_walk(parse(data)),
        "parse + unocr conversion (symbols deferred)": lambda: response_to_blocks(
            parse(data)
        ),
        "  ... then every symbol accessed": lambda: symbols_seen(
            response_to_blocks(parse(data))
        ),
        "parse + unocr conversion, symbols=False": lambda: response_to_blocks(
            parse(data), symbols=False
        ),
        # what read_many does: the answer's bytes as the server sent them
        "unocr conversion of the bytes (symbols deferred)": lambda: received(data),
        "  ... then every symbol accessed ": lambda: symbols_seen(received(data)),
        "unocr conversion of the bytes, symbols=False": lambda: received(
            data, symbols=False
        ),
    }
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(rounds):  # in turns: load on the machine hits each alike
        for name, case in cases.items():
            start = time.thread_time()
            case()
            best[name] = min(best[name], time.thread_time() - start)
    floor = best["parse + raw walk of every symbol"]
    print(
        f"dense response ({len(data) / 1000:.0f} kB protobuf), CPU time, "
        f"best of {rounds}:"
    )
    for name, seconds in best.items():
        print(
            f"  {name:<44} {seconds * 1000:7.2f} ms  {seconds / floor:5.1f}x the walk"
        )
    print()


def run(
    name: str, reply: str, n: int, latency: float, repeat: int, **options: object
) -> None:
    paths = [FIXTURES / "document.jpg"] * n
    with server(reply, latency) as (address, calls):
        # best of `repeat` runs each: the machine may be busy with other work
        loop_s, loop_cpu, loop_words = min(
            plain_loop(address, paths) for _ in range(repeat)
        )
        many_s, many_cpu, many_words = min(
            unocr_many(address, paths, **options) for _ in range(repeat)
        )
    assert loop_words == many_words, (loop_words, many_words)
    # after the loops (a warm-up + n calls each): per unocr run, a warm-up + batches
    tail = calls[repeat * (n + 1) :]
    per_run = len(tail) // repeat - 1
    print(
        f"{name:<38} {loop_s:6.2f} s ({n} calls)  "
        f"{many_s:6.2f} s ({per_run} calls of {max(tail, default=0)})"
        f"  {loop_s / many_s:6.1f}x   {loop_cpu:5.2f} s / {many_cpu:5.2f} s"
    )


def ceiling(n: int, latency: float, repeat: int) -> None:
    """The dense page through clients that build nothing, beside the loop."""
    paths = [FIXTURES / "document.jpg"] * n
    with server("dense", latency) as (address, _calls):
        loop_s, loop_cpu, _ = min(plain_loop(address, paths) for _ in range(repeat))
        print("\nthe dense page through clients that build nothing (ceiling):")
        print(f"  {'per-image loop':<54} {loop_s:6.2f} s   CPU {loop_cpu:5.2f} s")
        for read, name in [
            ("nothing", "parse each response, read nothing"),
            ("words", "parse, read each word's text, box, confidence, break"),
            ("symbols", "parse, walk every symbol (text and vertices)"),
        ]:
            s, cpu, _ = min(floor_client(address, paths, read) for _ in range(repeat))
            print(f"  {name:<54} {s:6.2f} s   CPU {cpu:5.2f} s  {loop_s / s:6.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per call")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per side; best is shown"
    )
    parser.add_argument(
        "--rounds", type=int, default=40, help="rounds of the conversion timing"
    )
    args = parser.parse_args()
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
        f"{args.images} images (document.jpg, 1279x932 JPEG), "
        f"{args.latency * 1000:.0f} ms added per call, loopback gRPC, server in its own process\n"
    )
    conversion(args.rounds)
    memory()
    header = (
        f"{'workload':<38} {'per-image loop':>18}  {'unocr.read_many':>24}  "
        f"{'ratio':>7}   client CPU: loop / unocr"
    )
    print(header)
    common = (args.images, args.latency, args.repeat)
    run("reply: 8 words", "small", *common)
    run("reply: real dense page (332 words)", "dense", *common)
    run("  ... then every symbol accessed", "dense", *common, every_symbol=True)
    run("reply: real dense page, symbols=False", "dense", *common, symbols=False)
    run("reply: real dense page, converted at once", "dense", *common, turns=False)
    ceiling(*common)


if __name__ == "__main__":
    main()
