import GeoCore

/// Readers for the shared columns; each checks every count and index before using it.
extension Columns {
    /// Reads a dictionary written by `writeDictionary`; it may hold at most `recordCount` entries
    /// (each entry is used by at least one record). With a `cache`, entries seen in earlier frames
    /// reuse the String built then (same text, no printing, validating or allocating).
    static func readDictionary(
        _ reader: inout ByteReader, recordCount: Int, limits: FrameLimits, cache: DictionaryStringCache? = nil
    ) throws(FrameError) -> [String] {
        let start = reader.position
        let count = try reader.readCount("dictionary count", minimumBytes: 1, limit: Int.max)
        guard count <= recordCount else {
            throw reader.failure(.malformedPayload, "dictionary count \(count) exceeds the record count \(recordCount)", at: start)
        }
        var strings: [String] = []
        strings.reserveCapacity(count)
        for _ in 0..<count {
            let header = try reader.readVarint("dictionary entry")
            if header & 1 == 1 {
                strings.append(cache?.numeric(header: header) ?? decimalString(header >> 1))
                continue
            }
            let length = header >> 1
            guard length <= UInt64(limits.maxStringBytes) else {
                throw reader.failure(.limitExceeded, "dictionary string of \(length) bytes exceeds maxStringBytes \(limits.maxStringBytes)")
            }
            let start = reader.position
            let bytes = try reader.readBytes(Int(length), "dictionary string")
            guard let string = cache.map({ $0.text(bytes) }) ?? String(validating: bytes, as: UTF8.self) else {
                throw FrameError(.invalidUTF8, "dictionary string is not valid UTF-8", offset: reader.offsetBase + start)
            }
            strings.append(string)
        }
        return strings
    }

    /// `String(value)`, without the generic integer-printing path (hot: one per distinct numeric id).
    static func decimalString(_ value: UInt64) -> String {
        var digits = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        return String(unsafeUninitializedCapacity: digits) { buffer in
            var value = value
            for i in stride(from: digits - 1, through: 0, by: -1) {
                buffer[i] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10)
                value /= 10
            }
            return digits
        }
    }

    static func readIndexes(_ reader: inout ByteReader, dictionaryCount: Int, into indexes: UnsafeMutableBufferPointer<Int32>) throws(FrameError) {
        let limit = UInt64(dictionaryCount)
        try reader.readVarints(indexes.count, "dictionary index") { (i, index, offset) throws(FrameError) in
            guard index < limit else {
                throw FrameError(.malformedPayload, "dictionary index \(index) of record \(i) is not below the dictionary count \(dictionaryCount)", offset: offset)
            }
            indexes[i] = Int32(truncatingIfNeeded: index)
        }
    }

    static func readTimes(_ reader: inout ByteReader, into times: UnsafeMutableBufferPointer<Int64>) throws(FrameError) {
        let unitByte = try reader.readByte("time unit")
        guard unitByte <= 1 else {
            throw reader.failure(.malformedPayload, "time unit \(unitByte) is not 0 (ms) or 1 (s)")
        }
        let unit: Int64 = unitByte == 1 ? millisecondsPerSecond : 1
        var previous: Int64 = 0
        try reader.readVarints(times.count, "time delta") { i, delta, _ in
            previous &+= Zigzag.decode(delta)
            times[i] = previous &* unit
        }
    }

    /// Reads what `writeCoordinates` wrote for `points.count` positions, each delta-coded against
    /// the one before (polygon batches; point batches use `readPointCoordinates`).
    static func readCoordinates(_ reader: inout ByteReader, into points: UnsafeMutableBufferPointer<Point>) throws(FrameError) {
        let mode = try reader.readByte("coordinate mode")
        let count = points.count
        if mode == rawCoordinateMode {
            guard reader.remaining / 16 >= count else {
                throw reader.failure(.malformedPayload, "\(count) raw coordinates need \(count * 16) bytes, \(reader.remaining) left")
            }
            let bytes = try reader.readBytes(count * 16, "raw coordinates")
            for i in 0..<count {
                let reference = i - 1
                let (rx, ry) = reference >= 0 ? (points[reference].x.bitPattern, points[reference].y.bitPattern) : (0, 0)
                let x = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16 * i, as: UInt64.self)) ^ rx
                let y = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16 * i + 8, as: UInt64.self)) ^ ry
                points[i] = Point(x: Double(bitPattern: x), y: Double(bitPattern: y))
            }
            return
        }
        guard mode < rawCoordinateMode else {
            throw reader.failure(.malformedPayload, "coordinate mode \(mode) is neither a decimal exponent 0...7 nor raw (8)")
        }
        let scale = powersOfTen[Int(mode)]
        guard reader.remaining / 2 >= count else {
            throw reader.failure(.malformedPayload, "\(count) fixed-point coordinates need at least \(count * 2) bytes, \(reader.remaining) left")
        }
        // The integers are kept beside the doubles: deltas refer to integers, not to rounded doubles.
        var fixed = [Int64](repeating: 0, count: 2 * count)
        try fixed.withUnsafeMutableBufferPointer { (fixed) throws(FrameError) in
            for i in 0..<count {
                let reference = i - 1
                var x: Int64 = 0
                var y: Int64 = 0
                if reference >= 0 {
                    x = fixed[2 * reference]
                    y = fixed[2 * reference + 1]
                }
                x &+= Zigzag.decode(try reader.readVarint("x delta"))
                y &+= Zigzag.decode(try reader.readVarint("y delta"))
                fixed[2 * i] = x
                fixed[2 * i + 1] = y
                points[i] = Point(x: Double(x) / scale, y: Double(y) / scale)
            }
        }
    }

    /// Reads the coordinates of a point batch, finding each point's reference (the previous record
    /// of its dictionary entry, else the previous record) as it goes; `indexes` are already checked
    /// to be below `dictionaryCount`.
    static func readPointCoordinates(
        _ reader: inout ByteReader, indexes: UnsafeBufferPointer<Int32>, dictionaryCount: Int,
        into points: UnsafeMutableBufferPointer<Point>
    ) throws(FrameError) {
        let count = points.count
        let mode = try reader.readByte("coordinate mode")
        guard mode <= rawCoordinateMode else {
            throw reader.failure(.malformedPayload, "coordinate mode \(mode) is neither a decimal exponent 0...7 nor raw (8)")
        }
        let minimumBytes = mode == rawCoordinateMode ? 16 : 2
        guard reader.remaining / minimumBytes >= count else {
            throw reader.failure(.malformedPayload, "\(count) coordinates need at least \(count * minimumBytes) bytes, \(reader.remaining) left")
        }
        let lastOfEntry = UnsafeMutablePointer<Int32>.allocate(capacity: Swift.max(dictionaryCount, 1))
        lastOfEntry.initialize(repeating: -1, count: dictionaryCount)
        defer { lastOfEntry.deallocate() }
        @inline(__always) func reference(of i: Int) -> Int {
            let entry = Int(indexes[i])
            let previous = Int(lastOfEntry[entry])
            lastOfEntry[entry] = Int32(truncatingIfNeeded: i)
            return previous >= 0 ? previous : i - 1
        }
        if mode == rawCoordinateMode {
            let bytes = try reader.readBytes(count * 16, "raw coordinates")
            for i in 0..<count {
                let reference = reference(of: i)
                let (rx, ry) = reference >= 0 ? (points[reference].x.bitPattern, points[reference].y.bitPattern) : (0, 0)
                let x = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16 * i, as: UInt64.self)) ^ rx
                let y = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16 * i + 8, as: UInt64.self)) ^ ry
                points[i] = Point(x: Double(bitPattern: x), y: Double(bitPattern: y))
            }
            return
        }
        let scale = powersOfTen[Int(mode)]
        // The integers are kept beside the doubles: deltas refer to integers, not to rounded doubles.
        let fixed = UnsafeMutablePointer<Int64>.allocate(capacity: Swift.max(2 * count, 1))
        defer { fixed.deallocate() }
        // Varint 2i is point i's x delta, 2i + 1 its y delta.
        var x: Int64 = 0
        var referenceY: Int64 = 0
        try reader.readVarints(2 * count, "coordinate delta") { k, delta, _ in
            let i = k >> 1
            if k & 1 == 0 {
                let reference = reference(of: i)
                var referenceX: Int64 = 0
                referenceY = 0
                if reference >= 0 {
                    referenceX = fixed[2 * reference]
                    referenceY = fixed[2 * reference + 1]
                }
                x = referenceX &+ Zigzag.decode(delta)
            } else {
                let y = referenceY &+ Zigzag.decode(delta)
                fixed[2 * i] = x
                fixed[2 * i + 1] = y
                points[i] = Point(x: Double(x) / scale, y: Double(y) / scale)
            }
        }
    }

    /// An array of `count` plain values (integers, points) that `fill` sets every one of, without
    /// zeroing it first.
    static func uninitializedArray<T>(
        count: Int, _ fill: (UnsafeMutableBufferPointer<T>) throws(FrameError) -> Void
    ) throws(FrameError) -> [T] {
        var failure: FrameError?
        let array = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(FrameError) {
                try fill(buffer)
                initialized = count
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return array
    }
}
