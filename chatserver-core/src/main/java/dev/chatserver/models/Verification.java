package dev.chatserver.models;

/** What a downloaded file's SHA-256 was checked against. */
public enum Verification {
    /** The checksum the caller gave (e.g. {@code --sha256}). */
    GIVEN_SHA256,
    /** The checksum the server announced for the file ({@code X-Linked-Etag}, or an {@code ETag} that is a SHA-256). */
    ANNOUNCED_SHA256,
    /** No trustworthy checksum was available: the file's integrity is unverified. */
    UNVERIFIED
}
