import GeoCore

/// The stored form of a partition map, kept with checkpoints so a restarted stage routes exactly as
/// before. Little-endian throughout:
///
/// | offset | size | field |
/// | --- | --- | --- |
/// | 0 | 4 | magic `GSPM` |
/// | 4 | 2 | format version, 1 |
/// | 6 | 2 | reserved, 0 |
/// | 8 | 32 | bbox minX, minY, maxX, maxY (IEEE 754 bit patterns) |
/// | 40 | 4 | worker count |
/// | 44 | 4 | overflow worker |
/// | 48 | 4 | slot count n |
/// | 52 | 9 n | per slot in Hilbert order: level (1), worker (4), sample count (4) |
/// | 52 + 9 n | 8 | FNV-1a 64 of every byte before it, which is also the map's `version` |
///
/// Slot ranges are implied: each slot starts where the previous ended.
extension SpacePartitionMap {
    static let magic: [UInt8] = Array("GSPM".utf8)
    static let formatVersion: UInt16 = 1
    static let headerSize = 52
    static let slotRecordSize = 9
    static let trailerSize = 8

    public func serialized() -> [UInt8] {
        var bytes = Self.serializedBody(bbox: bbox, workerCount: workerCount, overflowWorker: overflowWorker, slots: slots)
        bytes.appendLittleEndian(version)
        return bytes
    }

    static func serializedBody(bbox: Rect, workerCount: Int, overflowWorker: Int, slots: [PartitionSlot]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headerSize + slotRecordSize * slots.count + trailerSize)
        bytes += magic
        bytes.appendLittleEndian(formatVersion)
        bytes.appendLittleEndian(UInt16(0))
        for value in [bbox.minX, bbox.minY, bbox.maxX, bbox.maxY] { bytes.appendLittleEndian(value.bitPattern) }
        bytes.appendLittleEndian(UInt32(workerCount))
        bytes.appendLittleEndian(UInt32(overflowWorker))
        bytes.appendLittleEndian(UInt32(slots.count))
        for slot in slots {
            bytes.append(UInt8(slot.level))
            bytes.appendLittleEndian(UInt32(slot.worker))
            bytes.appendLittleEndian(UInt32(slot.sampleCount))
        }
        return bytes
    }

    /// Loads a map written by `serialized()`, checking everything before trusting anything: sizes
    /// against the slot count before allocating, the hash trailer, then that the slots tile the curve
    /// and each worker owns one run in worker order. Any single changed byte is rejected (FNV-1a
    /// cannot miss one).
    public init(serialized bytes: [UInt8]) throws(PartitionMapError) {
        var reader = ByteReader(bytes)
        guard bytes.count >= Self.headerSize + Self.trailerSize else {
            throw PartitionMapError(.truncated, "\(bytes.count) bytes, fewer than the \(Self.headerSize + Self.trailerSize) of an empty map", offset: bytes.count)
        }
        guard Array(bytes[0..<4]) == Self.magic else {
            throw PartitionMapError(.badMagic, "expected \"GSPM\", got \(Array(bytes[0..<4]))", offset: 0)
        }
        reader.offset = 4
        let version = reader.readUInt16()
        guard version == Self.formatVersion else {
            throw PartitionMapError(.unsupportedVersion, "format version \(version); this build reads \(Self.formatVersion)", offset: 4)
        }
        let reserved = reader.readUInt16()
        guard reserved == 0 else { throw PartitionMapError(.reservedNotZero, "reserved field is \(reserved)", offset: 6) }
        let bbox = Rect(minX: Double(bitPattern: reader.readUInt64()), minY: Double(bitPattern: reader.readUInt64()),
                        maxX: Double(bitPattern: reader.readUInt64()), maxY: Double(bitPattern: reader.readUInt64()))
        let workerCount = Int(reader.readUInt32())
        let overflowWorker = Int(reader.readUInt32())
        let slotCount = Int(reader.readUInt32())
        guard slotCount <= Self.maxSlotLimit else {
            throw PartitionMapError(.limitExceeded, "slot count \(slotCount) exceeds \(Self.maxSlotLimit)", offset: 48)
        }
        let expected = Self.headerSize + Self.slotRecordSize * slotCount + Self.trailerSize
        guard bytes.count >= expected else {
            throw PartitionMapError(.truncated, "\(slotCount) slots need \(expected) bytes, got \(bytes.count)", offset: bytes.count)
        }
        guard bytes.count == expected else {
            throw PartitionMapError(.trailingBytes, "\(slotCount) slots need \(expected) bytes, got \(bytes.count)", offset: expected)
        }
        let bodyEnd = expected - Self.trailerSize
        reader.offset = bodyEnd
        let stored = reader.readUInt64()
        let computed = StableHash.fnv1a(bytes[0..<bodyEnd])
        guard stored == computed else {
            throw PartitionMapError(.checksumMismatch, "stored hash \(hex(stored)), bytes hash to \(hex(computed))", offset: bodyEnd)
        }
        guard Self.isUsable(bbox) else {
            throw PartitionMapError(.invalidBBox, "bbox \(bbox) is not finite with min < max", offset: 8)
        }
        guard (1...Self.maxWorkers).contains(workerCount) else {
            throw PartitionMapError(.limitExceeded, "worker count \(workerCount) is outside 1...\(Self.maxWorkers)", offset: 40)
        }
        guard overflowWorker < workerCount else {
            throw PartitionMapError(.invalidSlots, "overflow worker \(overflowWorker) of \(workerCount) workers", offset: 44)
        }
        var levels: [UInt8] = [], owners: [Int] = [], counts: [Int] = []
        levels.reserveCapacity(slotCount)
        owners.reserveCapacity(slotCount)
        counts.reserveCapacity(slotCount)
        var start: UInt64 = 0
        reader.offset = Self.headerSize
        for i in 0..<slotCount {
            let at = reader.offset
            let level = reader.readUInt8()
            let owner = Int(reader.readUInt32())
            let count = Int(reader.readUInt32())
            guard level <= 16 else { throw PartitionMapError(.invalidSlots, "slot \(i) has level \(level) > 16", offset: at) }
            let length = QuadNode.curveLength(atLevel: level)
            guard start % length == 0, start + length <= SlotGrid.curveLength else {
                throw PartitionMapError(.invalidSlots, "slot \(i) at level \(level) cannot start at Hilbert key \(start)", offset: at)
            }
            let previous = owners.last ?? -1
            guard owner == previous || owner == previous + 1, owner < workerCount else {
                throw PartitionMapError(.invalidSlots, "slot \(i) belongs to worker \(owner) after worker \(previous) of \(workerCount): runs must follow worker order", offset: at + 1)
            }
            levels.append(level)
            owners.append(owner)
            counts.append(count)
            start += length
        }
        guard start == SlotGrid.curveLength else {
            throw PartitionMapError(.invalidSlots, "slots cover \(start) of the curve's \(SlotGrid.curveLength) keys", offset: bodyEnd)
        }
        guard owners.last == workerCount - 1 else {
            throw PartitionMapError(.invalidSlots, "the last slot belongs to worker \(owners.last ?? -1), not \(workerCount - 1): a worker has no slot", offset: bodyEnd)
        }
        self.init(checkedBBox: bbox, workerCount: workerCount, overflowWorker: overflowWorker,
                  levels: levels, owners: owners, sampleCounts: counts)
    }
}

private func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

/// Little-endian reads at an offset the caller has already checked against the length.
private struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func readUInt8() -> UInt8 {
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16() -> UInt16 { UInt16(truncatingIfNeeded: read(2)) }
    mutating func readUInt32() -> UInt32 { UInt32(truncatingIfNeeded: read(4)) }
    mutating func readUInt64() -> UInt64 { read(8) }

    private mutating func read(_ width: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<width { value |= UInt64(bytes[offset + i]) << UInt64(8 * i) }
        offset += width
        return value
    }
}

extension [UInt8] {
    fileprivate mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
