public import GeoCore

extension SlidingWindowIndex {
    /// The `k` entries of the current window nearest to `point`, nearest first, with their distance in
    /// metres (haversine; polygons by their nearest point, 0 inside).
    ///
    /// Panes are searched best-first by the lower bound of their tree's bounds; each pane's best-first
    /// search stops at the current k-th distance, and a pane whose bound is no better is skipped. Among
    /// entries tied at the k-th distance an arbitrary one is kept. `k <= 0` gives an empty result.
    @inlinable
    public func nearest(to point: Point, k: Int) -> [(entry: WindowEntry<Payload>, distance: Double)] {
        guard k > 0 else { return [] }
        var order: [(bound: Double, slot: Int)] = []
        for slot in panes.indices where !panes[slot].tree.isEmpty {
            if case .hidden = visibility(of: panes[slot]) { continue }
            order.append((Geodesy.minimumDistance(from: point, to: panes[slot].tree.bounds), slot))
        }
        order.sort { $0.bound < $1.bound }

        var best: [(entry: WindowEntry<Payload>, distance: Double)] = []
        best.reserveCapacity(Swift.min(k, heldCount) + 1)
        let limit = currentWindowEnd ?? .max
        for (bound, slot) in order {
            if best.count == k && bound >= best[k - 1].distance { break }
            let pane = panes[slot]
            var checksTime = false
            if case .beforeWindowEnd = visibility(of: pane) { checksTime = true }
            pane.tree.forEachNearest(
                to: point,
                lowerBound: { Geodesy.minimumDistance(from: point, to: $0) },
                distance: { bounds, record in
                    record.shape < 0
                        ? Geodesy.distance(point, Point(x: bounds.minX, y: bounds.minY))
                        : Geodesy.distance(from: point, to: pane.shapes[Int(record.shape)])
                }
            ) { neighbor in
                if best.count == k && neighbor.distance >= best[k - 1].distance { return false }
                if checksTime && neighbor.payload.time >= limit { return true }
                let entry = pane.entry(bounds: neighbor.bounds, record: neighbor.payload)
                var position = best.count
                while position > 0 && best[position - 1].distance > neighbor.distance { position -= 1 }
                best.insert((entry, neighbor.distance), at: position)
                if best.count > k { best.removeLast() }
                return true
            }
        }
        return best
    }
}
