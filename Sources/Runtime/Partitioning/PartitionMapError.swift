/// Why serialized partition-map bytes were rejected: what is wrong, naming the field and values, and
/// the byte offset where it was found.
///
/// A stage that cannot load its map from a checkpoint must not guess one: a different map would send
/// events to workers that do not hold their state.
public struct PartitionMapError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// Fewer bytes than the header, or than the header's slot count, need.
        case truncated
        /// More bytes than the header's slot count needs.
        case trailingBytes
        case badMagic
        case unsupportedVersion
        /// The trailing FNV-1a hash does not match the bytes before it.
        case checksumMismatch
        /// A worker or slot count beyond `SpacePartitionMap.maxWorkers` / `maxSlotLimit`.
        case limitExceeded
        /// The bbox is not finite or not min < max on both axes.
        case invalidBBox
        /// The slots do not tile the Hilbert curve with aligned quadtree cells, or a worker does not
        /// own exactly one non-empty run of them in worker order.
        case invalidSlots
        /// A reserved field is not zero.
        case reservedNotZero
    }

    public var code: Code
    public var message: String
    /// Byte offset in the serialized map.
    public var offset: Int

    public init(_ code: Code, _ message: String, offset: Int) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String { "partition map \(code.rawValue) at byte \(offset): \(message)" }
}
