public import GeoCore

/// Which R-tree selection a window query starts from.
@usableFromInline
enum WindowBoundsFilter {
    case intersecting(Rect)
    case containedIn(Rect)
}

/// How much of a pane the current window covers.
@usableFromInline
enum WindowPaneVisibility {
    case hidden, whole, beforeWindowEnd
}

extension SlidingWindowIndex {
    /// Entries of the current window, i.e. `lowerBound ≤ t < windowEnd` (every entry before the first
    /// advance). The same count queries see; `count` also holds entries waiting beyond the window end.
    public var windowCount: Int {
        var total = 0
        for pane in panes {
            switch visibility(of: pane) {
            case .hidden: continue
            case .whole: total += pane.count
            case .beforeWindowEnd:
                pane.forEachEntry { if isVisible(time: $0.time) { total += 1 }; return true }
            }
        }
        return total
    }

    @inlinable
    func visibility(of pane: WindowPane<Payload>) -> WindowPaneVisibility {
        guard let end = currentWindowEnd else { return .whole }
        if pane.start >= end { return .hidden }
        return pane.end > end ? .beforeWindowEnd : .whole
    }

    @inlinable
    func isVisible(time: Int64) -> Bool {
        currentWindowEnd.map { time < $0 } ?? true
    }

    /// The one selection primitive every spatial query wraps: visits the current window's entries whose
    /// bounds pass `filter`, pane by pane, until `visit` returns false (then returns false).
    @inlinable
    @discardableResult
    func forEachCandidate(_ filter: WindowBoundsFilter,
                          _ visit: (WindowEntry<Payload>) throws -> Bool) rethrows -> Bool {
        for pane in panes {
            let paneVisibility = visibility(of: pane)
            if case .hidden = paneVisibility { continue }
            let checksTime: Bool
            if case .beforeWindowEnd = paneVisibility { checksTime = true } else { checksTime = false }
            let limit = currentWindowEnd ?? .max
            let completed = try pane.select(filter) { bounds, record in
                if checksTime && record.time >= limit { return true }
                return try visit(pane.entry(bounds: bounds, record: record))
            }
            if !completed { return false }
        }
        return true
    }

    /// Visits the current window's entries whose geometry intersects `rect` (edges count), bounding-box
    /// prefilter first, then the exact `Geometry.intersects(_:)`; stops when `visit` returns false.
    @inlinable
    @discardableResult
    public func forEach(intersecting rect: Rect, _ visit: (WindowEntry<Payload>) throws -> Bool) rethrows -> Bool {
        try forEachCandidate(.intersecting(rect)) { entry in
            if case .point = entry.geometry { return try visit(entry) }   // a point's bounds are the point
            return entry.geometry.intersects(rect) ? try visit(entry) : true
        }
    }

    @inlinable
    public func search(intersecting rect: Rect) -> [WindowEntry<Payload>] {
        var found: [WindowEntry<Payload>] = []
        forEach(intersecting: rect) { found.append($0); return true }
        return found
    }

    /// Entries whose geometry lies within `region` (`Geometry.isWithin`; boundaries may touch).
    @inlinable
    public func search(within region: Geometry) -> [WindowEntry<Payload>] {
        var found: [WindowEntry<Payload>] = []
        forEachCandidate(.containedIn(region.bounds)) { entry in
            if entry.geometry.isWithin(region) { found.append(entry) }
            return true
        }
        return found
    }

    /// Entries whose geometry shares at least one point with `region`.
    @inlinable
    public func search(intersecting region: Geometry) -> [WindowEntry<Payload>] {
        var found: [WindowEntry<Payload>] = []
        forEachCandidate(.intersecting(region.bounds)) { entry in
            if entry.geometry.intersects(region) { found.append(entry) }
            return true
        }
        return found
    }

    /// Entries within `metres` of `center` (haversine; a polygon counts by its nearest point, 0 inside).
    ///
    /// The prefilter is `Geodesy.boundingRect(around:radius:)`, so it inherits that rect's handling of the
    /// poles and the antimeridian. A negative radius finds nothing.
    @inlinable
    public func search(radius metres: Double, around center: Point) -> [WindowEntry<Payload>] {
        guard metres >= 0 else { return [] }
        var found: [WindowEntry<Payload>] = []
        forEachCandidate(.intersecting(Geodesy.boundingRect(around: center, radius: metres))) { entry in
            if Self.metres(from: center, to: entry.geometry) <= metres { found.append(entry) }
            return true
        }
        return found
    }

    /// The window's distance rule: haversine to a point, `Geodesy.distance(from:to:)` to anything else.
    @inlinable
    static func metres(from origin: Point, to geometry: Geometry) -> Double {
        if case .point(let point) = geometry { return Geodesy.distance(origin, point) }
        return Geodesy.distance(from: origin, to: geometry)
    }

    /// Every entry held, including those newer than the window end, in no particular order: the state a
    /// checkpoint must save. Queries, by contrast, see only the current window.
    @inlinable
    public func allEntries() -> [WindowEntry<Payload>] {
        var all: [WindowEntry<Payload>] = []
        all.reserveCapacity(heldCount)
        for pane in panes { pane.forEachEntry { all.append($0); return true } }
        return all
    }
}
