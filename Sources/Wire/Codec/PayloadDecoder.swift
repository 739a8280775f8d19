import GeoCore

/// Parses the columns `PayloadEncoder` wrote, for a header-checked record count.
enum PayloadDecoder {
    static func points(
        _ reader: inout ByteReader, count: Int, limits: FrameLimits, cache: DictionaryStringCache? = nil
    ) throws(FrameError) -> [PointEvent] {
        let ids = try Columns.readDictionary(&reader, recordCount: count, limits: limits, cache: cache)
        let indexes: [Int32] = try Columns.uninitializedArray(count: count) { (indexes) throws(FrameError) in
            try Columns.readIndexes(&reader, dictionaryCount: ids.count, into: indexes)
        }
        let times: [Int64] = try Columns.uninitializedArray(count: count) { (times) throws(FrameError) in
            try Columns.readTimes(&reader, into: times)
        }
        let points: [Point] = try indexes.withUnsafeBufferPointer { (indexes) throws(FrameError) in
            try Columns.uninitializedArray(count: count) { (points) throws(FrameError) in
                try Columns.readPointCoordinates(&reader, indexes: indexes, dictionaryCount: ids.count, into: points)
            }
        }
        let props = try PropsCoding.readColumn(&reader, count: count, limits: limits)
        let empty = JSONObject()
        return [PointEvent](unsafeUninitializedCapacity: count) { events, initialized in
            ids.withUnsafeBufferPointer { ids in
                indexes.withUnsafeBufferPointer { indexes in
                    times.withUnsafeBufferPointer { times in
                        points.withUnsafeBufferPointer { points in
                            for i in 0..<count {
                                (events.baseAddress! + i).initialize(to: PointEvent(
                                    id: ids[Int(indexes[i])], t: times[i], point: points[i], props: props?[i] ?? empty))
                            }
                        }
                    }
                }
            }
            initialized = count
        }
    }

    /// The columns polygon and result payloads open with: the key dictionary (ids or topics), each
    /// record's index into it, and its time.
    static func keyedColumns(
        _ reader: inout ByteReader, count: Int, limits: FrameLimits, cache: DictionaryStringCache?
    ) throws(FrameError) -> (keys: [String], indexes: [Int32], times: [Int64]) {
        let keys = try Columns.readDictionary(&reader, recordCount: count, limits: limits, cache: cache)
        var indexes = [Int32](repeating: 0, count: count)
        try indexes.withUnsafeMutableBufferPointer { (indexes) throws(FrameError) in
            try Columns.readIndexes(&reader, dictionaryCount: keys.count, into: indexes)
        }
        var times = [Int64](repeating: 0, count: count)
        try times.withUnsafeMutableBufferPointer { (times) throws(FrameError) in try Columns.readTimes(&reader, into: times) }
        return (keys, indexes, times)
    }

    static func polygons(
        _ reader: inout ByteReader, count: Int, limits: FrameLimits, cache: DictionaryStringCache? = nil
    ) throws(FrameError) -> [PolygonEvent] {
        let (ids, indexes, times) = try keyedColumns(&reader, count: count, limits: limits, cache: cache)
        var roles: [PolygonEvent.Role] = []
        roles.reserveCapacity(count)
        for _ in 0..<count {
            let role = try reader.readByte("role")
            guard role <= 1 else { throw reader.failure(.malformedPayload, "role \(role) is not 0 (object) or 1 (fence)") }
            roles.append(role == 1 ? .fence : .object)
        }
        let shapes = try readStructure(&reader, count: count, limits: limits)
        let coordinatesStart = reader.position
        var vertices = [Point](repeating: Point(x: 0, y: 0), count: shapes.vertexCount)
        try vertices.withUnsafeMutableBufferPointer { (vertices) throws(FrameError) in
            try Columns.readCoordinates(&reader, into: vertices)
        }
        let props = try PropsCoding.readColumn(&reader, count: count, limits: limits)

        var events: [PolygonEvent] = []
        events.reserveCapacity(count)
        var ring = 0
        var vertex = 0
        func nextPolygon(rings ringCount: Int) throws(FrameError) -> Polygon {
            var rings: [[Point]] = []
            rings.reserveCapacity(ringCount)
            for _ in 0..<ringCount {
                let length = shapes.ringLengths[ring]
                let positions = Array(vertices[vertex..<vertex + length])
                // No Polygon can hold NaN (GeoCore's ring index traps on it); reject, do not trap.
                if positions.contains(where: { $0.x.isNaN || $0.y.isNaN }) {
                    throw FrameError(.malformedPayload, "a ring of record \(events.count) has a NaN coordinate", offset: FrameHeader.size + coordinatesStart)
                }
                rings.append(positions)
                vertex += length
                ring += 1
            }
            return Polygon(uncheckedExterior: rings[0], holes: Array(rings.dropFirst()))
        }
        var polygonIndex = 0
        for i in 0..<count {
            let geometry: Geometry?
            switch shapes.tags[i] {
            case .empty:
                geometry = nil
            case .point:
                geometry = .point(vertices[vertex])
                vertex += 1
            case .polygon:
                geometry = .polygon(try nextPolygon(rings: shapes.polygonRingCounts[polygonIndex]))
                polygonIndex += 1
            case .multiPolygon:
                let parts = shapes.multiPartCounts[i]
                var polygons: [Polygon] = []
                polygons.reserveCapacity(parts)
                for _ in 0..<parts {
                    polygons.append(try nextPolygon(rings: shapes.polygonRingCounts[polygonIndex]))
                    polygonIndex += 1
                }
                geometry = .multiPolygon(MultiPolygon(polygons))
            }
            events.append(PolygonEvent(id: ids[Int(indexes[i])], t: times[i], geometry: geometry, role: roles[i], props: props?[i] ?? JSONObject()))
        }
        return events
    }

    /// The geometry structure of a polygon batch, flattened, with its totals checked.
    struct Structure {
        var tags: [GeometryTag] = []
        /// Parts of record i when it is a multipolygon, else 0.
        var multiPartCounts: [Int] = []
        /// Ring count of every polygon (standalone or part), in order.
        var polygonRingCounts: [Int] = []
        /// Position count of every ring, in order.
        var ringLengths: [Int] = []
        var vertexCount = 0
    }

    private static func readStructure(_ reader: inout ByteReader, count: Int, limits: FrameLimits) throws(FrameError) -> Structure {
        var shapes = Structure()
        shapes.tags.reserveCapacity(count)
        shapes.multiPartCounts.reserveCapacity(count)
        func readPolygon(_ reader: inout ByteReader) throws(FrameError) {
            let rings = try reader.readCount("ring count", minimumBytes: 1, limit: limits.maxVertices)
            guard rings >= 1 else { throw reader.failure(.malformedPayload, "a polygon has 0 rings; it needs an exterior") }
            shapes.polygonRingCounts.append(rings)
            for _ in 0..<rings {
                let length = try reader.readCount("ring position count", minimumBytes: 0, limit: limits.maxVertices - shapes.vertexCount)
                shapes.ringLengths.append(length)
                shapes.vertexCount += length
            }
        }
        for _ in 0..<count {
            let tagByte = try reader.readByte("geometry kind")
            guard let tag = GeometryTag(rawValue: tagByte) else {
                throw reader.failure(.malformedPayload, "geometry kind \(tagByte) is not 0 (empty), 1 (polygon), 2 (multipolygon) or 3 (point)")
            }
            shapes.tags.append(tag)
            var parts = 0
            switch tag {
            case .empty: break
            case .point:
                guard shapes.vertexCount < limits.maxVertices else {
                    throw reader.failure(.limitExceeded, "more than maxVertices \(limits.maxVertices) positions")
                }
                shapes.vertexCount += 1
            case .polygon:
                try readPolygon(&reader)
            case .multiPolygon:
                parts = try reader.readCount("multipolygon part count", minimumBytes: 1, limit: limits.maxVertices)
                for _ in 0..<parts { try readPolygon(&reader) }
            }
            shapes.multiPartCounts.append(parts)
        }
        // Each position takes at least 2 bytes (fixed point) in the coordinate column that follows.
        guard shapes.vertexCount <= reader.remaining / 2 else {
            throw reader.failure(.malformedPayload, "\(shapes.vertexCount) positions cannot fit in the \(reader.remaining) bytes left")
        }
        return shapes
    }

    static func results(
        _ reader: inout ByteReader, count: Int, limits: FrameLimits, cache: DictionaryStringCache? = nil
    ) throws(FrameError) -> [ResultRecord] {
        let (topics, indexes, times) = try keyedColumns(&reader, count: count, limits: limits, cache: cache)
        var records: [ResultRecord] = []
        records.reserveCapacity(count)
        for i in 0..<count {
            let json = try reader.readString("result JSON", limits: limits)
            records.append(ResultRecord(topic: topics[Int(indexes[i])], t: times[i], json: json))
        }
        return records
    }
}
