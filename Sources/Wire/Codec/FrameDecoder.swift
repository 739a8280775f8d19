import CLZ4

/// Turns wire bytes back into frames, trusting nothing: every header field is checked, then the
/// checksum, before anything is allocated; the payload's own counts are checked as it is parsed.
///
/// Never traps on any input; every failure is a `FrameError`.
///
/// Keep one decoder per receiving stage and reuse it: it remembers the id (and topic) Strings of
/// earlier frames, so a stream that repeats its ids does not rebuild them for every frame (at most
/// 4,096 Strings are kept). Decoded frames are the same with or without that memory.
/// - Warning: `Sendable`, and copies share the remembered Strings. Decoding from several threads
///   at once is safe; only one of them uses the remembered Strings at a time (the others decode
///   without them), so a decoder per thread is faster.
public struct FrameDecoder: Sendable {
    public var limits: FrameLimits
    private let dictionaryCache = DictionaryStringCache()

    public init(limits: FrameLimits = FrameLimits()) {
        self.limits = limits
    }

    public func decode(_ bytes: [UInt8]) throws(FrameError) -> Frame {
        try bytes.withUnsafeBytes { bytes in Result { () throws(FrameError) in try decode(bytes) } }.get()
    }

    public func decode(_ bytes: UnsafeRawBufferPointer) throws(FrameError) -> Frame {
        let header = try header(of: bytes)
        let wire = UnsafeRawBufferPointer(rebasing: bytes[FrameHeader.size...])
        let payload: FramePayload
        if header.payloadType == .none {
            payload = .none
        } else if header.compressed {
            let rawLength = Int(header.rawLength)
            var failure: FrameError?
            let raw = [UInt8](unsafeUninitializedCapacity: Swift.max(rawLength, 1)) { buffer, initialized in
                let produced = LZ4_decompress_safe(
                    wire.baseAddress!.assumingMemoryBound(to: CChar.self),
                    UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self),
                    Int32(wire.count), Int32(rawLength))
                guard produced == Int32(rawLength) else {
                    initialized = 0
                    failure = FrameError(
                        .decompressionFailed,
                        produced < 0
                            ? "LZ4 block is corrupt (liblz4 error \(produced)) for raw length \(rawLength)"
                            : "LZ4 block decompressed to \(produced) bytes, header raw length is \(rawLength)",
                        offset: FrameHeader.size)
                    return
                }
                initialized = rawLength
            }
            if let failure { throw failure }
            payload = try raw.withUnsafeBytes { raw in Result { () throws(FrameError) in try parse(raw, header: header) } }.get()
        } else {
            payload = try parse(wire, header: header)
        }
        return Frame(kind: header.kind, partition: header.partition, epoch: header.epoch, payload: payload, halo: header.halo)
    }

    /// Reads and checks the header (every field, then the checksum over the whole frame) without
    /// allocating or decompressing: enough to route, count or print a frame.
    public func header(of bytes: UnsafeRawBufferPointer) throws(FrameError) -> FrameHeader {
        let size = FrameHeader.size
        guard bytes.count >= size else {
            throw FrameError(.truncated, "frame has \(bytes.count) bytes, the header alone takes \(size)", offset: bytes.count)
        }
        func u32(_ offset: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
        for (i, byte) in FrameHeader.magic.enumerated() where bytes[i] != byte {
            let found = bytes[0..<4].map { String($0, radix: 16) }.joined(separator: " ")
            throw FrameError(.badMagic, "magic is \(found), expected 47 53 42 31 (\"GSB1\")", offset: i)
        }
        let version = bytes[4]
        guard version == FrameHeader.currentVersion else {
            throw FrameError(.unsupportedVersion, "version \(version), this decoder reads version \(FrameHeader.currentVersion)", offset: 4)
        }
        let flags = bytes[5]
        guard flags & ~(FrameHeader.lz4Flag | FrameHeader.haloFlag) == 0 else {
            throw FrameError(.unknownFlags, "flags 0x\(String(flags, radix: 16)) set bits other than bit 0 (LZ4) and bit 1 (halo)", offset: 5)
        }
        guard let kind = FrameKind(rawValue: bytes[6]) else {
            throw FrameError(.unknownKind, "kind \(bytes[6]) is not 1 (data), 2 (barrier), 3 (watermark) or 4 (end)", offset: 6)
        }
        guard let payloadType = FramePayloadType(rawValue: bytes[7]) else {
            throw FrameError(.unknownPayloadType, "payload type \(bytes[7]) is not 0 (none), 1 (points), 2 (polygons) or 3 (results)", offset: 7)
        }
        let payloadLength = Int(u32(28))
        let present = bytes.count - size
        guard payloadLength <= present else {
            throw FrameError(.truncated, "payload length is \(payloadLength) but only \(present) bytes follow the header", offset: bytes.count)
        }
        guard payloadLength == present else {
            throw FrameError(.trailingBytes, "payload length is \(payloadLength) but \(present) bytes follow the header", offset: size + payloadLength)
        }
        guard payloadLength <= limits.maxPayloadBytes else {
            throw FrameError(.limitExceeded, "payload length \(payloadLength) exceeds maxPayloadBytes \(limits.maxPayloadBytes)", offset: 28)
        }
        let rawLength = Int(u32(24))
        guard rawLength <= limits.maxRawBytes else {
            throw FrameError(.limitExceeded, "raw length \(rawLength) exceeds maxRawBytes \(limits.maxRawBytes)", offset: 24)
        }
        let count = Int(u32(20))
        guard count <= limits.maxRecords else {
            throw FrameError(.limitExceeded, "count \(count) exceeds maxRecords \(limits.maxRecords)", offset: 20)
        }
        let stored = u32(32)
        let computed = CRC32C.checksum(
            UnsafeRawBufferPointer(rebasing: bytes[size...]),
            seed: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<32])))
        guard stored == computed else {
            throw FrameError(.checksumMismatch, "CRC32C is 0x\(String(stored, radix: 16)), the bytes give 0x\(String(computed, radix: 16))", offset: 32)
        }
        let compressed = flags & FrameHeader.lz4Flag != 0
        let halo = flags & FrameHeader.haloFlag != 0
        if halo && kind != .data {
            throw FrameError(.inconsistentHeader, "a \(kind) frame has the halo flag; only data frames carry halo copies", offset: 5)
        }
        if kind != .data && payloadType != .none {
            throw FrameError(.inconsistentHeader, "a \(kind) frame has payload type \(payloadType); only data frames carry records", offset: 7)
        }
        if payloadType == .none && (count != 0 || rawLength != 0 || payloadLength != 0 || compressed) {
            throw FrameError(.inconsistentHeader, "payload type none with count \(count), raw length \(rawLength), payload length \(payloadLength), LZ4 \(compressed)", offset: 7)
        }
        if payloadType != .none {
            if !compressed && rawLength != payloadLength {
                throw FrameError(.inconsistentHeader, "uncompressed frame with raw length \(rawLength) != payload length \(payloadLength)", offset: 24)
            }
            // One LZ4 block byte expands to at most 255 bytes: a larger claim is a lie, refused before allocating.
            if compressed && (payloadLength == 0 || rawLength > payloadLength * 255 + 16) {
                throw FrameError(.inconsistentHeader, "raw length \(rawLength) cannot come from an LZ4 block of \(payloadLength) bytes", offset: 24)
            }
            // Every record takes at least one raw payload byte.
            if count > rawLength {
                throw FrameError(.inconsistentHeader, "count \(count) records cannot fit in raw length \(rawLength)", offset: 20)
            }
        }
        return FrameHeader(
            version: version, compressed: compressed, kind: kind, payloadType: payloadType,
            partition: u32(8), epoch: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 12, as: UInt64.self)),
            count: UInt32(count), rawLength: UInt32(rawLength), payloadLength: UInt32(payloadLength), checksum: stored, halo: halo)
    }

    private func parse(_ raw: UnsafeRawBufferPointer, header: FrameHeader) throws(FrameError) -> FramePayload {
        var reader = ByteReader(raw, offsetBase: FrameHeader.size)
        let count = Int(header.count)
        let limits = limits
        let payload = try dictionaryCache.withLock { (cache) throws(FrameError) -> FramePayload in
            switch header.payloadType {
            case .none: .none
            case .points: .points(try PayloadDecoder.points(&reader, count: count, limits: limits, cache: cache))
            case .polygons: .polygons(try PayloadDecoder.polygons(&reader, count: count, limits: limits, cache: cache))
            case .results: .results(try PayloadDecoder.results(&reader, count: count, limits: limits, cache: cache))
            }
        }
        guard reader.isAtEnd else {
            throw reader.failure(.malformedPayload, "\(reader.remaining) bytes left over after \(count) records")
        }
        return payload
    }
}
