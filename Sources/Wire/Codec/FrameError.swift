/// Why a frame was rejected: what is wrong, in words naming the field and the values, and where.
///
/// A rejected frame is counted and dropped by the receiving stage, never trusted in part.
public struct FrameError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// Fewer bytes than the header, or than the header's payload length, say there are.
        case truncated
        /// More bytes follow the payload than the header's payload length says.
        case trailingBytes
        case badMagic
        case unsupportedVersion
        /// A flag bit this version does not define is set.
        case unknownFlags
        case unknownKind
        case unknownPayloadType
        /// `maxPayloadBytes`, `maxRawBytes`, `maxRecords`, `maxStringBytes`, `maxVertices` or
        /// `maxNesting` would be exceeded.
        case limitExceeded
        case checksumMismatch
        /// Header fields contradict each other (a barrier with a payload, raw and payload lengths
        /// that no LZ4 block could produce, ...).
        case inconsistentHeader
        /// LZ4 reported corrupt input or did not produce exactly the raw length.
        case decompressionFailed
        /// The payload's columns do not parse: a bad tag, an index out of range, a count that does
        /// not match the header, bytes left over.
        case malformedPayload
        /// A string in the payload is not valid UTF-8.
        case invalidUTF8
        /// The encoder cannot represent this frame (a length beyond the 32-bit header fields, or a
        /// control frame carrying events).
        case unencodable
    }

    public var code: Code
    public var message: String
    /// Byte offset in the frame. For errors found while parsing the payload's columns it is
    /// `FrameHeader.size` plus the offset in the raw payload, which for an LZ4 frame means the
    /// decompressed bytes, not the bytes on the wire.
    public var offset: Int

    public init(_ code: Code, _ message: String, offset: Int) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String { "frame \(code.rawValue) at byte \(offset): \(message)" }
}
