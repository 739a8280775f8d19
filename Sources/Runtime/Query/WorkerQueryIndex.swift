import GeoCore
public import SpatialIndex
public import Wire

/// What a query worker keeps of each event besides its geometry and time.
public struct QueriedEvent: Hashable, Sendable {
    public var id: String
    public var props: JSONObject
}

/// The window a worker of the query stage answers from: its own (non-halo) points and object
/// polygons in a `SlidingWindowIndex`, advanced with the worker's watermark.
///
/// Halo copies and fences stay out: a halo copy is owned (and answered) by another worker, and a
/// fence is configuration, not an event in the window. Queries see exactly the window ending at
/// `windowEnd` (`docs/window-index.md`), so an answer depends on the stream, never on timing.
/// - Warning: Use on the worker's thread.
public struct WorkerQueryIndex {
    public private(set) var index: SlidingWindowIndex<QueriedEvent>

    public init(window: WindowSpec) throws {
        index = SlidingWindowIndex(configuration: try WindowConfiguration(size: window.size, slide: window.slide))
    }

    public var windowEnd: Int64? { index.windowEnd }
    public var windowCount: Int { index.windowCount }

    public mutating func insert(_ events: [PointEvent]) {
        for event in events {
            index.insert(QueriedEvent(id: event.id, props: event.props), geometry: .point(event.point), time: event.t)
        }
    }

    public mutating func insert(_ events: [PolygonEvent]) {
        for event in events where event.role == .object {
            guard let geometry = event.geometry else { continue }
            index.insert(QueriedEvent(id: event.id, props: event.props), geometry: geometry, time: event.t)
        }
    }

    public mutating func advance(to watermark: Int64) {
        index.advance(to: watermark)
    }

    /// This worker's share of the answer, in `QueryMatch` order. For `nearest` it is the worker's
    /// k smallest by that order — ties at the k-th distance included before cutting — so the
    /// gateway's global k smallest are among the union of every worker's.
    public func answer(_ request: QueryRequest) -> [QueryMatch] {
        let filter = request.filter
        var matches: [QueryMatch] = []
        func keep(_ entry: WindowEntry<QueriedEvent>, distance: Double?) {
            guard filter.matches(entry.payload.props) else { return }
            matches.append(Self.match(entry, distance: distance))
        }
        switch request.shape {
        case let .within(region):
            for entry in index.search(within: region) { keep(entry, distance: nil) }
        case let .intersects(rect):
            index.forEach(intersecting: rect) { keep($0, distance: nil); return true }
        case let .radius(center, metres):
            for entry in index.search(radius: metres, around: center) { keep(entry, distance: Self.metres(from: center, to: entry.geometry)) }
        case let .nearest(center, k):
            if filter.pairs.isEmpty {
                // The index's k nearest fix the k-th distance; everything within it (ties too) is
                // then the candidate set, cut by the total order.
                let nearest = index.nearest(to: center, k: k)
                if nearest.count < k {
                    for found in nearest { keep(found.entry, distance: found.distance) }
                } else {
                    let kth = nearest[k - 1].distance
                    for entry in index.search(radius: kth, around: center) { keep(entry, distance: Self.metres(from: center, to: entry.geometry)) }
                }
            } else {
                // A filter can reject any of the nearest, so grow k until k matches or the window runs out.
                var wanted = k
                while true {
                    let nearest = index.nearest(to: center, k: wanted)
                    matches.removeAll(keepingCapacity: true)
                    for found in nearest { keep(found.entry, distance: found.distance) }
                    if nearest.count < wanted {
                        break
                    }
                    if matches.count >= k {
                        let kth = matches.sorted()[k - 1].distance ?? 0
                        matches.removeAll(keepingCapacity: true)
                        for entry in index.search(radius: kth, around: center) { keep(entry, distance: Self.metres(from: center, to: entry.geometry)) }
                        break
                    }
                    wanted *= 4
                }
            }
            return QueryMatch.merge(matches, limit: k)
        }
        return QueryMatch.merge(matches)
    }

    /// The window's distance rule (`SlidingWindowIndex`): haversine to a point, nearest point of a polygon.
    static func metres(from center: Point, to geometry: Geometry) -> Double {
        if case let .point(point) = geometry { return Geodesy.distance(center, point) }
        return Geodesy.distance(from: center, to: geometry)
    }

    static func match(_ entry: WindowEntry<QueriedEvent>, distance: Double?) -> QueryMatch {
        var out = "{\"id\":"
        JSONWriter.appendString(entry.payload.id, to: &out)
        out += ",\"t\":\(entry.time)"
        if case let .point(point) = entry.geometry {
            out += ",\"lon\":"
            JSONWriter.appendDouble(point.lon, to: &out)
            out += ",\"lat\":"
            JSONWriter.appendDouble(point.lat, to: &out)
        } else {
            out += ",\"geometry\":" + JSONWriter.renderGeoJSON(entry.geometry)
        }
        out += ",\"props\":"
        JSONWriter.append(.object(entry.payload.props), to: &out)
        if let distance {
            out += ",\"distance\":"
            JSONWriter.appendDouble(distance, to: &out)
        }
        out += "}"
        return QueryMatch(id: entry.payload.id, t: entry.time, distance: distance, json: out)
    }
}
