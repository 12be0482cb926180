//! Throughput of supervision-code issuance: one code at a time, eight at a time, and the
//! `write_range` path that `zhijian codes issue` uses.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use zhijian_core::code::{CodeKey, CodeSpace, NodeCode, SupervisionCode};

fn space() -> CodeSpace {
    let key = CodeKey::from_bytes(*b"zhijian-bench-k!");
    let node = NodeCode::new(11).expect("11 is a province");
    CodeSpace::new(node, &key)
}

fn encode(c: &mut Criterion) {
    let space = space();
    let mut group = c.benchmark_group("code");

    group.throughput(Throughput::Elements(1));
    let mut index = 0u64;
    group.bench_function("encode", |b| {
        b.iter(|| {
            index = (index + 1) % CodeSpace::SIZE;
            space.encode(black_box(index))
        })
    });

    let code = space.encode(12_345).expect("in range");
    group.bench_function("decode", |b| b.iter(|| space.decode(black_box(&code))));

    const BATCH: usize = 1024;
    let indices: Vec<u64> = (0..BATCH as u64).collect();
    let mut codes = vec![code; BATCH];
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("encode_batch", |b| {
        b.iter(|| space.encode_batch(black_box(&indices), &mut codes))
    });

    group.throughput(Throughput::Elements(1));
    group.bench_function("parse", |b| {
        let text = code.to_string();
        b.iter(|| SupervisionCode::parse(black_box(&text)))
    });

    const RANGE: u64 = 1_000_000;
    group.throughput(Throughput::Elements(RANGE));
    group.sample_size(10);
    group.bench_function("write_range_1e6", |b| {
        b.iter(|| space.write_range(black_box(1_000), RANGE, &mut std::io::sink()))
    });
    group.finish();
}

criterion_group!(benches, encode);
criterion_main!(benches);
