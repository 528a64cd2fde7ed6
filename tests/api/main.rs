//! Integration tests over real HTTP: one binary, shared helpers.

mod helpers;
mod invoice_items;
mod invoice_lines;
mod invoice_previews;
mod invoice_support;
mod invoices;
