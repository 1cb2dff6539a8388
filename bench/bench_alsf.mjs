// Runs bench_interpreter.py's workloads on aws-local-stepfunctions, for a side-by-side comparison.
//
//   python bench/bench_interpreter.py --write-workloads DIR     # definitions + inputs as JSON
//   node --expose-gc bench/bench_alsf.mjs --manifest DIR/manifest.json [--only NAME] [--repeat N]
//
// Prints one JSON object per workload on stdout. `bench_interpreter.py --compare` does both steps,
// one node process per workload so each one's peak memory is measured from a fresh process.
//
// Metrics, the same as the Python side:
//   transitions   states entered (StateEntered events, including those of Map iterations and
//                 Parallel branches, which aws-local-stepfunctions forwards to the root event log),
//                 counted in one extra untimed run whose output is also written for comparison
//   best_s        best wall time of N runs of `stateMachine.run(input).result` (construction excluded)
//   load_s        `new StateMachine(definition)` (asl-validator's checks included, as by default)
//   rss_delta_kb  the peak RSS during the first run minus the RSS before it (Linux VmHWM, reset through
//                 /proc/self/clear_refs; elsewhere process.resourceUsage().maxRSS, which is never lowered)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { StateMachine } from 'aws-local-stepfunctions';

// aws-local-stepfunctions 3 declares node >= 22; on node 20 only its Task state needs something newer,
// Promise.withResolvers (ES2024, node 22). This standard shim lets the comparison run on node 20 too.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

// Twins of workloads.HANDLERS: the same trivial Task behaviour as the Python handler.
const HANDLERS = {
  increment: async (input) => ({ i: input.Payload.i + 1 }),
};

const { values: args } = parseArgs({
  options: {
    manifest: { type: 'string' },
    only: { type: 'string' },
    repeat: { type: 'string', default: '3' },
  },
});
if (!args.manifest) {
  console.error('usage: node bench_alsf.mjs --manifest DIR/manifest.json [--only NAME] [--repeat N]');
  process.exit(2);
}
const manifestDir = dirname(resolve(args.manifest));
const manifest = JSON.parse(readFileSync(args.manifest, 'utf8'));
const repeat = Math.max(1, Number.parseInt(args.repeat, 10));

// The process's peak RSS in KiB; `reset` first lowers the peak to the current RSS (Linux only).
function peakRssKb(reset = false) {
  try {
    if (reset) writeFileSync('/proc/self/clear_refs', '5');
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
    return Number.parseInt(line.split(/\s+/)[1], 10);
  } catch {
    return process.resourceUsage().maxRSS;
  }
}

function readJson(file) {
  return JSON.parse(readFileSync(resolve(manifestDir, file), 'utf8'));
}

// One more run, after the timed ones, that counts the states entered from the execution's event log
// (recorded in every run; reading it as it grows costs a few per cent, so the timed runs do not).
async function countTransitions(stateMachine, input, runOptions) {
  const execution = stateMachine.run(input, runOptions);
  const counting = (async () => {
    let entered = 0;
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') entered += 1;
    }
    return entered;
  })();
  const output = await execution.result;
  return { output, transitions: await counting };
}

async function bench(workload) {
  const definition = readJson(workload.definition);
  const t0 = performance.now();
  const stateMachine = new StateMachine(definition);
  const loadS = (performance.now() - t0) / 1000;
  const taskResourceLocalHandlers = {};
  for (const [stateName, handler] of Object.entries(workload.tasks ?? {})) {
    taskResourceLocalHandlers[stateName] = HANDLERS[handler];
  }
  const runOptions = { overrides: { taskResourceLocalHandlers } };
  const times = [];
  let rssDeltaKb = null;
  for (let run = 0; run < repeat; run += 1) {
    const input = readJson(workload.input); // fresh, untimed
    globalThis.gc?.();
    const before = peakRssKb(run === 0);
    const start = performance.now();
    await stateMachine.run(input, runOptions).result;
    times.push((performance.now() - start) / 1000);
    if (run === 0) rssDeltaKb = peakRssKb() - before;
  }
  const last = await countTransitions(stateMachine, readJson(workload.input), runOptions);
  if (workload.output) writeFileSync(resolve(manifestDir, workload.output), JSON.stringify(last.output));
  const best = Math.min(...times);
  return {
    name: workload.name,
    runner: 'aws-local-stepfunctions',
    transitions: last.transitions,
    best_s: best,
    times_s: times,
    transitions_per_s: last.transitions / best,
    load_s: loadS,
    rss_delta_kb: rssDeltaKb,
  };
}

// Like the Python side, run a one-state workflow once first, so start-up work is not charged to a workload.
if (manifest.warmUp) await new StateMachine(readJson(manifest.warmUp)).run({}).result;

for (const workload of manifest.workloads) {
  if (args.only && workload.name !== args.only) continue;
  try {
    console.log(JSON.stringify(await bench(workload)));
  } catch (error) {
    console.log(JSON.stringify({ name: workload.name, error: String(error?.message ?? error).slice(0, 500) }));
  }
}
