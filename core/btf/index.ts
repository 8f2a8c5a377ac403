// Public surface of the BTF encoder.
export * from './btf.ts';
