//! Strict JSON for tokens: objects with duplicate member names are refused.
