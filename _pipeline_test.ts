// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import {
  FAST_CHUNK_MS,
  FAST_CHUNKS_BEFORE_PIPELINING,
  MAX_PIPELINE_DEPTH,
  PipelinePolicy,
} from "./_pipeline.ts";

Deno.test("PipelinePolicy holds one chunk a worker until enough quick chunks in a row", () => {
  const policy = new PipelinePolicy();
  assert.equal(policy.depth, 1);
  for (let i = 1; i < FAST_CHUNKS_BEFORE_PIPELINING; i++) policy.observe(0.1);
  assert.equal(policy.depth, 1);
  policy.observe(0.1);
  assert.equal(policy.depth, 2);
  policy.observe(0.1);
  assert.equal(policy.depth, 4);
});

Deno.test("PipelinePolicy goes back to one chunk after a slow one, and starts counting again", () => {
  const policy = new PipelinePolicy();
  for (let i = 0; i < 20; i++) policy.observe(0.1);
  assert.ok(policy.depth > 2);
  policy.observe(FAST_CHUNK_MS);
  assert.equal(policy.depth, 1);
  for (let i = 1; i < FAST_CHUNKS_BEFORE_PIPELINING; i++) policy.observe(0.1);
  assert.equal(policy.depth, 1);
});

Deno.test("PipelinePolicy never goes past MAX_PIPELINE_DEPTH", () => {
  const policy = new PipelinePolicy();
  for (let i = 0; i < 100; i++) policy.observe(0);
  assert.equal(policy.depth, MAX_PIPELINE_DEPTH);
});
