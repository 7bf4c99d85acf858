//! Tend's photos outside the domain: [`darkroom`] develops uploads, [`objects`] keeps the
//! sealed bytes in a folder or an S3-compatible bucket.

pub mod darkroom;
pub mod demo;
pub mod objects;
