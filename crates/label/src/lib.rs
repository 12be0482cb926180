//! Printable labels for supervision codes (placeholder; being written).
