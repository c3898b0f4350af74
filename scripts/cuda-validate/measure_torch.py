#!/usr/bin/env python3
"""Times every layer of a Llama-style decoder on a CUDA GPU with PyTorch, one row per layer the
engine prices (blocks.N.q_proj, ..., lm_head), for prefill and decode configurations, plus whole
forward passes. The output is compared with the engine by compare.py (docs/calibration.md,
"CUDA: calibration and validation on an H200").

Method (so that the numbers mean what the roofline means):
  * Each layer runs as the kernel a serving engine would launch for it: cuBLAS GEMMs through
    torch.mm with preallocated outputs, FlashAttention through scaled_dot_product_attention (GQA,
    causal for prefill, a KV cache of context_len keys for decode), torch's RMSNorm, an
    out-of-place residual add, SiLU(gate) * up (eager torch: two kernels; the kernel count of
    every layer is recorded from the profiler).
  * Cold operands: a layer is captured into a CUDA graph as n instances, each with its own
    weights, inputs and outputs, n chosen so the graph touches at least --working-set bytes
    (several times the L2), so every instance reads its operands from HBM as a layer of a real
    forward pass does. The graph is replayed --replays times per trial; a trial's time divided
    by replays x n is one sample; the median, p10 and p90 of --trials samples are reported.
    Launch overhead is a graph node's, not a Python call's.
  * Whole passes: every block with its own weights and a real KV cache (decode writes the new
    token's K and V into it), embedding, final norm and lm_head, captured as one CUDA graph;
    torch also pays RoPE (eager, several kernels) and the layout copies around attention, which
    the engine does not price (it assumes RoPE is fused into the projections).
Needs only torch; runs in about a minute on an H200.
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", required=True, help="HF config.json of a Llama-style model")
    p.add_argument("--out", required=True, help="where to write the measurement JSON")
    p.add_argument("--dtype", default="bf16", choices=["bf16", "fp16"])
    p.add_argument("--prefill", default="128,512,2048,8192", help="prompt lengths (batch 1)")
    p.add_argument("--decode", default="1,8,32,128", help="decode batches")
    p.add_argument("--context-len", type=int, default=2048, help="decode: keys in the KV cache")
    p.add_argument("--whole", default="prefill:2048,decode:32", help="whole passes to time")
    p.add_argument("--working-set", type=float, default=320e6, help="bytes one graph touches")
    p.add_argument("--max-instances", type=int, default=64)
    p.add_argument("--trials", type=int, default=7)
    p.add_argument("--replays", type=int, default=10)
    p.add_argument("--time-limit", type=float, default=240, help="seconds; stops early, keeps rows")
    return p.parse_args()


ARGS = None
T0 = time.time()


def elapsed():
    return time.time() - T0


def out_of_time():
    return elapsed() > ARGS.time_limit


def randn(shape, dtype, scale=0.02):
    t = torch.empty(shape, dtype=dtype, device="cuda")
    t.normal_(0.0, scale)
    return t


def graph_time(instances, trials, replays):
    """Median/p10/p90 seconds per instance of the callables, replayed from one CUDA graph."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for f in instances:  # warm-up: cuBLAS handles, workspaces, autotuning
            f()
        for f in instances:
            f()
    torch.cuda.current_stream().wait_stream(side)
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for f in instances:
            f()
    graph.replay()
    torch.cuda.synchronize()
    samples = []
    for _ in range(trials):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(replays):
            graph.replay()
        end.record()
        end.synchronize()
        samples.append(start.elapsed_time(end) / 1e3 / (replays * len(instances)))
    del graph
    samples.sort()
    q = lambda f: samples[min(len(samples) - 1, max(0, int(round(f * (len(samples) - 1)))))]
    return statistics.median(samples), q(0.1), q(0.9)


def kernel_count(fn):
    """CUDA kernels one call launches (torch.profiler), or None if the profiler is unavailable."""
    try:
        from torch.profiler import ProfilerActivity, profile

        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            fn()
            torch.cuda.synchronize()
        names = [e.name for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA]
        names = [n for n in names if not n.startswith("Memcpy") and not n.startswith("Memset")]
        return len(names), sorted(set(names))[:4]
    except Exception as e:  # noqa: BLE001 - the count is informative only
        return None, [f"profiler: {e}"]


class Model:
    def __init__(self, cfg, dtype):
        self.h = cfg["hidden_size"]
        self.hq = cfg["num_attention_heads"]
        self.hkv = cfg.get("num_key_value_heads", self.hq)
        self.d = cfg.get("head_dim") or self.h // self.hq
        self.ff = cfg["intermediate_size"]
        self.vocab = cfg["vocab_size"]
        self.layers = cfg["num_hidden_layers"]
        self.eps = cfg.get("rms_norm_eps", 1e-5)
        self.dtype = dtype
        self.qdim = self.hq * self.d
        self.kvdim = self.hkv * self.d


def instances_for(bytes_per_instance):
    n = math.ceil(ARGS.working_set / max(bytes_per_instance, 1.0))
    return max(1, min(ARGS.max_instances, n))


def layer_ops(m, phase, batch, seq, context):
    """(op, bytes per instance, factory making one instance's callable, shape) per engine layer."""
    dt = m.dtype
    es = 2  # bf16 / fp16 bytes
    tokens = batch * seq if phase == "prefill" else batch
    ops = []

    def linear(name, k, n, rows=tokens):
        def make():
            x = randn((rows, k), dt, 1.0)
            w = randn((n, k), dt)
            o = torch.empty((rows, n), dtype=dt, device="cuda")
            wt = w.t()
            return lambda: torch.mm(x, wt, out=o)

        ops.append((name, es * (rows * k + k * n + rows * n), make, {"m": rows, "k": k, "n": n}))

    def norm(name):
        def make():
            x = randn((tokens, m.h), dt, 1.0)
            w = randn((m.h,), dt, 1.0)
            if hasattr(F, "rms_norm"):
                return lambda: F.rms_norm(x, (m.h,), w, m.eps)

            def manual():
                v = x.float().pow(2).mean(-1, keepdim=True)
                return (x.float() * torch.rsqrt(v + m.eps)).to(dt) * w

            return manual

        ops.append((name, es * 2 * tokens * m.h, make, {"elements": tokens * m.h}))

    def residual(name):
        def make():
            a = randn((tokens, m.h), dt, 1.0)
            b = randn((tokens, m.h), dt, 1.0)
            o = torch.empty_like(a)
            return lambda: torch.add(a, b, out=o)

        ops.append((name, es * 3 * tokens * m.h, make, {"elements": tokens * m.h}))

    def attention():
        queries = seq if phase == "prefill" else 1
        keys = seq if phase == "prefill" else context

        def make():
            q = randn((batch, m.hq, queries, m.d), dt, 1.0)
            k = randn((batch, m.hkv, keys, m.d), dt, 1.0)
            v = randn((batch, m.hkv, keys, m.d), dt, 1.0)
            causal = phase == "prefill"
            return lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal, enable_gqa=True)

        b = es * (2 * batch * m.hq * queries * m.d + 2 * batch * m.hkv * keys * m.d)
        ops.append(("attention", b, make, {"batch": batch, "queries": queries, "keys": keys}))

    def act_mul():
        def make():
            g = randn((tokens, m.ff), dt, 1.0)
            u = randn((tokens, m.ff), dt, 1.0)
            o = torch.empty_like(g)
            return lambda: torch.mul(F.silu(g), u, out=o)

        ops.append(("act_mul", es * 3 * tokens * m.ff, make, {"elements": tokens * m.ff}))

    shared = {}

    def embedding():
        def make():  # one table for all instances (it is 1 GB); each instance gathers its rows
            if "table" not in shared:
                shared["table"] = randn((m.vocab, m.h), dt)
            table = shared["table"]
            ids = torch.randint(0, m.vocab, (tokens,), device="cuda")
            return lambda: F.embedding(ids, table)

        ops.append(("embed_tokens", es * 2 * tokens * m.h, make, {"tokens": tokens}))

    embedding()
    norm("input_norm")
    linear("q_proj", m.h, m.qdim)
    linear("k_proj", m.h, m.kvdim)
    linear("v_proj", m.h, m.kvdim)
    attention()
    linear("o_proj", m.qdim, m.h)
    residual("attn_residual")
    norm("post_attention_norm")
    linear("gate_proj", m.h, m.ff)
    linear("up_proj", m.h, m.ff)
    act_mul()
    linear("down_proj", m.ff, m.h)
    residual("mlp_residual")
    norm("final_norm")
    linear("lm_head", m.h, m.vocab, rows=batch)
    return ops


def measure_layers(m, phase, batch, seq, context, count_kernels):
    rows = []
    for name, bytes_per, make, shape in layer_ops(m, phase, batch, seq, context):
        if out_of_time():
            rows.append({"op": name, "error": "time limit reached"})
            continue
        n = instances_for(bytes_per)
        row = {"op": name, "instances": n, "bytes_per_instance": bytes_per, **shape}
        try:
            fns = [make() for _ in range(n)]
            med, p10, p90 = graph_time(fns, ARGS.trials, ARGS.replays)
            row.update({"median_s": med, "p10_s": p10, "p90_s": p90})
            if count_kernels:
                row["kernels"], row["kernel_names"] = kernel_count(fns[0])
            del fns
        except Exception as e:  # noqa: BLE001 - keep the other rows
            row["error"] = f"{type(e).__name__}: {e}"
        torch.cuda.empty_cache()
        rows.append(row)
        print(f"  {phase} b{batch} s{seq} {name:20s} n={n:3d} "
              + (f"{row['median_s'] * 1e6:10.2f} us" if "median_s" in row else row.get("error", "")),
              flush=True)
    return rows


def rope_tables(m, positions):
    inv = 1.0 / (500000.0 ** (torch.arange(0, m.d, 2, device="cuda", dtype=torch.float32) / m.d))
    t = torch.arange(positions, device="cuda", dtype=torch.float32)
    freqs = torch.outer(t, inv)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos().to(m.dtype), emb.sin().to(m.dtype)


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    rot = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
    return x * cos + rot * sin


def whole_pass(m, phase, batch, seq, context):
    """Seconds of one forward pass (all blocks, own weights, real KV cache), CUDA-graph replay."""
    dt = m.dtype
    tokens = batch * seq if phase == "prefill" else batch
    keys = seq if phase == "prefill" else context
    cos_all, sin_all = rope_tables(m, keys + 1)
    blocks = []
    for _ in range(m.layers):
        blocks.append({
            "n1": randn((m.h,), dt, 1.0), "n2": randn((m.h,), dt, 1.0),
            "wq": randn((m.qdim, m.h), dt), "wk": randn((m.kvdim, m.h), dt),
            "wv": randn((m.kvdim, m.h), dt), "wo": randn((m.h, m.qdim), dt),
            "wg": randn((m.ff, m.h), dt), "wu": randn((m.ff, m.h), dt),
            "wd": randn((m.h, m.ff), dt),
            "kc": randn((batch, m.hkv, keys, m.d), dt, 1.0),
            "vc": randn((batch, m.hkv, keys, m.d), dt, 1.0),
        })
    table = randn((m.vocab, m.h), dt)
    head = randn((m.vocab, m.h), dt)
    final = randn((m.h,), dt, 1.0)
    ids = torch.randint(0, m.vocab, (tokens,), device="cuda")
    queries = seq if phase == "prefill" else 1
    cos = cos_all[:queries] if phase == "prefill" else cos_all[context - 1:context]
    sin = sin_all[:queries] if phase == "prefill" else sin_all[context - 1:context]

    def forward():
        x = F.embedding(ids, table)
        for b in blocks:
            hdn = F.rms_norm(x, (m.h,), b["n1"], m.eps)
            q = torch.mm(hdn, b["wq"].t()).view(batch, queries, m.hq, m.d).transpose(1, 2)
            k = torch.mm(hdn, b["wk"].t()).view(batch, queries, m.hkv, m.d).transpose(1, 2)
            v = torch.mm(hdn, b["wv"].t()).view(batch, queries, m.hkv, m.d).transpose(1, 2)
            q = rotate(q, cos, sin)
            k = rotate(k, cos, sin)
            if phase == "prefill":
                b["kc"].copy_(k)
                b["vc"].copy_(v)
                a = F.scaled_dot_product_attention(q, b["kc"], b["vc"], is_causal=True,
                                                   enable_gqa=True)
            else:
                b["kc"][:, :, context - 1:context].copy_(k)
                b["vc"][:, :, context - 1:context].copy_(v)
                a = F.scaled_dot_product_attention(q, b["kc"], b["vc"], enable_gqa=True)
            a = a.transpose(1, 2).reshape(tokens, m.qdim)
            x = x + torch.mm(a, b["wo"].t())
            hdn = F.rms_norm(x, (m.h,), b["n2"], m.eps)
            g = torch.mm(hdn, b["wg"].t())
            u = torch.mm(hdn, b["wu"].t())
            x = x + torch.mm(F.silu(g) * u, b["wd"].t())
        x = F.rms_norm(x, (m.h,), final, m.eps)
        last = x.view(batch, -1, m.h)[:, -1, :]
        return torch.mm(last, head.t())

    med, p10, p90 = graph_time([forward], max(3, ARGS.trials // 2), 3)
    kernels, _ = kernel_count(forward)
    del blocks
    torch.cuda.empty_cache()
    return {"median_s": med, "p10_s": p10, "p90_s": p90, "kernels": kernels}


def peaks(dtype):
    """Reference ceilings with torch itself: a device-to-device copy and a large GEMM."""
    out = {}
    try:
        n = 1 << 30  # 2 GiB of bf16 each way
        a = torch.empty(n, dtype=dtype, device="cuda").normal_()
        b = torch.empty_like(a)
        med, _, _ = graph_time([lambda: b.copy_(a)], 5, 5)
        out["copy_bytes_per_s"] = 2 * 2 * n / med  # read + write
        del a, b
        s = 8192
        x = randn((s, s), dtype, 1.0)
        y = randn((s, s), dtype, 1.0)
        o = torch.empty((s, s), dtype=dtype, device="cuda")
        med, _, _ = graph_time([lambda: torch.mm(x, y, out=o)], 5, 5)
        out["gemm_8192_ops_per_s"] = 2 * s ** 3 / med
        del x, y, o
    except Exception as e:  # noqa: BLE001
        out["error"] = str(e)
    torch.cuda.empty_cache()
    return out


def main():
    global ARGS
    ARGS = parse_args()
    cfg = json.load(open(ARGS.config))
    dtype = torch.bfloat16 if ARGS.dtype == "bf16" else torch.float16
    m = Model(cfg, dtype)
    torch.backends.cuda.matmul.allow_tf32 = False
    props = torch.cuda.get_device_properties(0)
    doc = {
        "kind": "rooflens-torch-measurement", "schema_version": 1,
        "gpu": props.name, "multiprocessors": props.multi_processor_count,
        "memory_bytes": props.total_memory, "torch": torch.__version__,
        "cuda": torch.version.cuda, "dtype": ARGS.dtype, "config": ARGS.config,
        "context_len": ARGS.context_len, "working_set_bytes": ARGS.working_set,
        "trials": ARGS.trials, "replays": ARGS.replays,
        "sdpa_backends": {
            "flash": torch.backends.cuda.flash_sdp_enabled(),
            "mem_efficient": torch.backends.cuda.mem_efficient_sdp_enabled(),
            "cudnn": getattr(torch.backends.cuda, "cudnn_sdp_enabled", lambda: None)(),
        },
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "peaks": peaks(dtype), "runs": [],
    }
    print(f"{props.name}: peaks {doc['peaks']}", flush=True)
    configs = [("prefill", 1, int(s), int(s)) for s in ARGS.prefill.split(",") if s]
    configs += [("decode", int(b), 1, ARGS.context_len) for b in ARGS.decode.split(",") if b]
    for i, (phase, batch, seq, context) in enumerate(configs):
        if out_of_time():
            break
        first_of_phase = i == 0 or configs[i - 1][0] != phase
        layers = measure_layers(m, phase, batch, seq, context, count_kernels=first_of_phase)
        run = {"phase": phase, "batch": batch, "layers": layers}
        run.update({"prompt_len": seq} if phase == "prefill" else {"context_len": context})
        doc["runs"].append(run)
        with open(ARGS.out, "w") as f:  # keep what is done if a later step dies
            json.dump(doc, f, indent=1)
    doc["whole"] = []
    for item in ARGS.whole.split(","):
        if not item or out_of_time():
            continue
        phase, value = item.split(":")
        batch, seq = (1, int(value)) if phase == "prefill" else (int(value), 1)
        entry = {"phase": phase, "batch": batch}
        entry.update({"prompt_len": seq} if phase == "prefill" else {"context_len": ARGS.context_len})
        try:
            entry.update(whole_pass(m, phase, batch, seq, ARGS.context_len))
        except Exception as e:  # noqa: BLE001
            entry["error"] = f"{type(e).__name__}: {e}"
        print(f"  whole {entry}", flush=True)
        doc["whole"].append(entry)
    doc["seconds"] = elapsed()
    with open(ARGS.out, "w") as f:
        json.dump(doc, f, indent=1)
    print(f"wrote {ARGS.out} in {elapsed():.1f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
