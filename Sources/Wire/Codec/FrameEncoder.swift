import CLZ4

/// Turns frames into wire bytes: columnar payload, LZ4 block when it helps, 36-byte header, CRC32C.
///
/// Keep one encoder per sending stage and reuse it: its scratch buffers then stop allocating.
/// With `compression` on, a payload LZ4 cannot shrink is sent raw (flags bit 0 clear), so a frame
/// is never bigger for being compressed. Control frames are never compressed.
/// - Warning: Not thread-safe; mutating, one per task.
public struct FrameEncoder {
    public var compression: Bool
    private var payloadEncoder = PayloadEncoder()
    private var lz4Stream = LZ4CompressionStream()

    public init(compression: Bool = true) {
        self.compression = compression
    }

    /// The frame's bytes as one new array.
    public mutating func encode(_ frame: Frame) throws(FrameError) -> [UInt8] {
        var output: [UInt8] = []
        try encode(frame, into: &output)
        return output
    }

    /// Replaces `output`'s contents with the frame's bytes, reusing its capacity.
    ///
    /// Throws `.unencodable` for a control frame with records, or a payload too big for the
    /// 32-bit length fields (or for LZ4, about 2 GB); `output` is then empty.
    public mutating func encode(_ frame: Frame, into output: inout [UInt8]) throws(FrameError) {
        output.removeAll(keepingCapacity: true)
        if frame.kind != .data && frame.payload.type != .none {
            throw FrameError(.unencodable, "a \(frame.kind) frame cannot carry \(frame.payload.type) records", offset: 6)
        }
        guard frame.payload.count <= UInt32.max else {
            throw FrameError(.unencodable, "\(frame.payload.count) records do not fit the 32-bit count", offset: 20)
        }
        payloadEncoder.encode(frame.payload)
        let rawLength = payloadEncoder.payload.count
        guard rawLength <= UInt32.max else {
            throw FrameError(.unencodable, "a raw payload of \(rawLength) bytes does not fit the 32-bit raw length", offset: 24)
        }
        let size = FrameHeader.size
        var compressed = false
        var payloadLength = rawLength
        if compression && frame.payload.type != .none && rawLength <= Int(LZ4_MAX_INPUT_SIZE) {
            let bound = Int(LZ4_compressBound(Int32(rawLength)))
            output.append(contentsOf: repeatElement(0, count: size + bound))
            if !isKnownUniquelyReferenced(&lz4Stream) { lz4Stream = LZ4CompressionStream() }
            let stream = lz4Stream.stream
            let written = payloadEncoder.payload.withUnsafeBytes { raw in
                output.withUnsafeMutableBytes { out in
                    // An independent block, as LZ4_compress_default makes, without clearing the
                    // 16 KiB hash table every frame: the fast reset moves the stream's base past
                    // the old entries, so none of them can be matched.
                    LZ4_resetStream_fast(stream)
                    return LZ4_compress_fast_continue(
                        stream,
                        raw.baseAddress!.assumingMemoryBound(to: CChar.self),
                        (out.baseAddress! + size).assumingMemoryBound(to: CChar.self),
                        Int32(rawLength), Int32(bound), 1)
                }
            }
            if written > 0 && Int(written) < rawLength {
                compressed = true
                payloadLength = Int(written)
                output.removeLast(output.count - size - payloadLength)
            } else {
                output.removeAll(keepingCapacity: true)
            }
        }
        if !compressed {
            output.append(contentsOf: repeatElement(0, count: size))
            payloadEncoder.payload.withUnsafeBytes { output.append(contentsOf: $0) }
        }
        let header = FrameHeader(
            version: FrameHeader.currentVersion, compressed: compressed, kind: frame.kind,
            payloadType: frame.payload.type, partition: frame.partition, epoch: frame.epoch,
            count: UInt32(frame.payload.count), rawLength: UInt32(rawLength),
            payloadLength: UInt32(payloadLength), checksum: 0, halo: frame.halo)
        output.withUnsafeMutableBytes { bytes in
            header.write(to: bytes)
            let checksum = CRC32C.checksum(
                UnsafeRawBufferPointer(rebasing: bytes[size...]),
                seed: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<32])))
            bytes.storeBytes(of: checksum.littleEndian, toByteOffset: 32, as: UInt32.self)
        }
    }
}

extension FrameHeader {
    /// Writes bytes 0..<32 (everything but the checksum) little-endian.
    func write(to bytes: UnsafeMutableRawBufferPointer) {
        for (i, byte) in FrameHeader.magic.enumerated() { bytes[i] = byte }
        bytes[4] = version
        bytes[5] = (compressed ? FrameHeader.lz4Flag : 0) | (halo ? FrameHeader.haloFlag : 0)
        bytes[6] = kind.rawValue
        bytes[7] = payloadType.rawValue
        bytes.storeBytes(of: partition.littleEndian, toByteOffset: 8, as: UInt32.self)
        bytes.storeBytes(of: epoch.littleEndian, toByteOffset: 12, as: UInt64.self)
        bytes.storeBytes(of: count.littleEndian, toByteOffset: 20, as: UInt32.self)
        bytes.storeBytes(of: rawLength.littleEndian, toByteOffset: 24, as: UInt32.self)
        bytes.storeBytes(of: payloadLength.littleEndian, toByteOffset: 28, as: UInt32.self)
    }
}

/// The LZ4 compression state an encoder keeps from frame to frame (liblz4's `LZ4_stream_t`).
///
/// - Warning: One encoder's: `FrameEncoder` gives a copy that shares it a new one before use.
final class LZ4CompressionStream {
    let stream: UnsafeMutablePointer<LZ4_stream_t>

    init() {
        guard let stream = LZ4_createStream() else { fatalError("LZ4_createStream could not allocate its 16 KiB state") }
        self.stream = stream
    }

    deinit {
        LZ4_freeStream(stream)
    }
}
