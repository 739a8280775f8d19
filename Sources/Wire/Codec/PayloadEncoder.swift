import GeoCore

/// Lays a batch out as columns (docs/wire-format.md) into `payload`, reusing its scratch arrays
/// from batch to batch.
struct PayloadEncoder {
    var payload = ByteWriter()
    private var interner = StringInterner()
    private var indexes: [Int32] = []
    private var references: [Int32] = []
    private var lastOfEntry: [Int32] = []
    private var times: [Int64] = []
    private var points: [Point] = []
    private var fixed: [Int64] = []

    mutating func encode(_ payload: FramePayload) {
        self.payload.removeAll()
        switch payload {
        case .none: break
        case let .points(events): encodePoints(events)
        case let .polygons(events): encodePolygons(events)
        case let .results(records): encodeResults(records)
        }
    }

    /// ids (dictionary + indexes), times, coordinates delta-coded per id, props.
    private mutating func encodePoints(_ events: [PointEvent]) {
        let hasProps = Self.gather(events, interner: &interner, indexes: &indexes, times: &times, points: &points)
        let dictionaryCount = interner.strings.count
        Columns.writeDictionary(interner, into: &payload)
        indexes.withUnsafeBufferPointer { Columns.writeIndexes($0, dictionaryCount: dictionaryCount, into: &payload) }
        times.withUnsafeBufferPointer { Columns.writeTimes($0, into: &payload) }
        Self.resize(&references, to: events.count)
        indexes.withUnsafeBufferPointer { indexes in
            references.withUnsafeMutableBufferPointer { references in
                Columns.references(for: indexes, dictionaryCount: dictionaryCount, into: references, last: &lastOfEntry)
            }
        }
        points.withUnsafeBufferPointer { points in
            references.withUnsafeBufferPointer { references in
                Columns.writeCoordinates(points, references: references, fixed: &fixed, into: &payload)
            }
        }
        if hasProps {
            PropsCoding.writeColumn(events.lazy.map(\.props), into: &payload)
        } else {
            payload.append(0)
        }
    }

    /// One pass over the events filling the id index, time and point columns; true if any props.
    private static func gather(
        _ events: [PointEvent], interner: inout StringInterner, indexes: inout [Int32], times: inout [Int64], points: inout [Point]
    ) -> Bool {
        let count = events.count
        interner.reset(expected: count)
        resize(&indexes, to: count)
        resize(&times, to: count)
        if points.count != count {
            points.removeAll(keepingCapacity: true)
            points.append(contentsOf: repeatElement(Point(x: 0, y: 0), count: count))
        }
        var hasProps = false
        let idOffset = MemoryLayout<PointEvent>.offset(of: \PointEvent.id)!
        events.withUnsafeBufferPointer { events in
            indexes.withUnsafeMutableBufferPointer { indexes in
                times.withUnsafeMutableBufferPointer { times in
                    points.withUnsafeMutableBufferPointer { points in
                        for i in 0..<count {
                            let id = UnsafeRawPointer(events.baseAddress! + i) + idOffset
                            indexes[i] = Int32(truncatingIfNeeded: interner.index(ofStringAt: id))
                            times[i] = events[i].t
                            points[i] = events[i].point
                            if !events[i].props.isEmpty { hasProps = true }
                        }
                    }
                }
            }
        }
        return hasProps
    }

    private static func resize<T: FixedWidthInteger>(_ array: inout [T], to count: Int) {
        if array.count != count {
            array.removeAll(keepingCapacity: true)
            array.append(contentsOf: repeatElement(0, count: count))
        }
    }

    /// ids, times, roles, geometry structure, all vertices as one coordinate column, props.
    private mutating func encodePolygons(_ events: [PolygonEvent]) {
        writeDictionaryColumn(events.lazy.map(\.id))
        times.removeAll(keepingCapacity: true)
        for event in events { times.append(event.t) }
        times.withUnsafeBufferPointer { Columns.writeTimes($0, into: &payload) }
        for event in events { payload.append(event.role == .fence ? 1 : 0) }
        points.removeAll(keepingCapacity: true)
        for event in events {
            switch event.geometry {
            case nil:
                payload.append(GeometryTag.empty.rawValue)
            case let .polygon(polygon)?:
                payload.append(GeometryTag.polygon.rawValue)
                writeStructure(of: polygon)
            case let .multiPolygon(multi)?:
                payload.append(GeometryTag.multiPolygon.rawValue)
                payload.appendVarint(UInt64(multi.polygons.count))
                for polygon in multi.polygons { writeStructure(of: polygon) }
            case let .point(point)?:
                payload.append(GeometryTag.point.rawValue)
                points.append(point)
            }
        }
        points.withUnsafeBufferPointer { points in
            Columns.writeCoordinates(points, references: nil, fixed: &fixed, into: &payload)
        }
        PropsCoding.writeColumn(events.lazy.map(\.props), into: &payload)
    }

    /// Ring count, then each ring's position count; the positions go to the coordinate column.
    private mutating func writeStructure(of polygon: Polygon) {
        let exterior = polygon.exterior
        let holes = polygon.holes
        payload.appendVarint(UInt64(1 + holes.count))
        payload.appendVarint(UInt64(exterior.count))
        points.append(contentsOf: exterior)
        for hole in holes {
            payload.appendVarint(UInt64(hole.count))
            points.append(contentsOf: hole)
        }
    }

    /// topics (dictionary + indexes), times, JSON texts (varint length + UTF-8 each).
    private mutating func encodeResults(_ records: [ResultRecord]) {
        writeDictionaryColumn(records.lazy.map(\.topic))
        times.removeAll(keepingCapacity: true)
        for record in records { times.append(record.t) }
        times.withUnsafeBufferPointer { Columns.writeTimes($0, into: &payload) }
        for record in records { payload.appendString(record.json) }
    }

    private mutating func writeDictionaryColumn(_ strings: some Collection<String>) {
        interner.reset(expected: strings.count)
        indexes.removeAll(keepingCapacity: true)
        for string in strings { indexes.append(Int32(interner.index(of: string))) }
        Columns.writeDictionary(interner, into: &payload)
        let dictionaryCount = interner.strings.count
        indexes.withUnsafeBufferPointer { Columns.writeIndexes($0, dictionaryCount: dictionaryCount, into: &payload) }
    }
}

/// Geometry kind byte of a polygon-event record.
enum GeometryTag: UInt8 {
    /// No geometry: removes a fence.
    case empty = 0
    case polygon = 1
    case multiPolygon = 2
    /// Not produced by our readers (PolygonEvent geometry is an area), kept so every value encodes.
    case point = 3
}
