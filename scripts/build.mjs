// Builds pkg/: the Rust crate compiled to wasm plus the package template.
import { buildPackage } from './lib.mjs';

buildPackage();
