import GeoCore
import Wire

extension RangeAlertOperator {
    /// One position of an object (a point, or an area with `point` its bounds centre), in event-time order.
    ///
    /// Finds the fences it is in (R-tree, then exact test), compares them with the fences it was in
    /// and emits what `spec.detect` asks for, all at the position's time and with the new position.
    mutating func observe(id: String, t: Int64, point: Point, geometry: Geometry?, props: JSONObject,
                          into results: inout [OperatorOutput]) {
        if !spec.filter.isEmpty && !spec.filter.matches(props) {
            filteredEvents += 1
            return
        }
        let slot: Int
        var previousPoint: Point?
        if let known = objects.slot(of: id) {
            slot = known
            if objects.lastGeometry[slot] == nil { previousPoint = objects.lastPoint[slot] }
        } else {
            slot = objects.add(id: id)
            let expiry = Self.saturatingAdd(t, forgetAfter)
            objects.queuedExpiry[slot] = expiry
            expiries.push(expiry, slot: slot)
        }

        var current = currentScratch
        currentScratch = []
        current.removeAll(keepingCapacity: true)
        if let geometry {
            fences.forEachSlot(intersecting: geometry) { current.append($0) }
        } else {
            fences.forEachSlot(containing: point) { current.append($0) }
        }
        if current.count > 1 { current.sort() }

        objects.lastT[slot] = t
        objects.lastPoint[slot] = point
        objects.lastGeometry[slot] = geometry
        objects.lastProps[slot] = props
        let previous = objects.inside[slot]

        if !previous.isEmpty {
            previous.forEach { fence in
                guard !Self.sortedContains(current, fence) else { return }
                if detectsExit { emit(.exit, fence: fence, object: slot, t: t, into: &results) }
                membersPerFence[Int(fence)] -= 1
            }
        }
        for fence in current where !previous.contains(fence) {
            if detectsEnter { emit(.enter, fence: fence, object: slot, t: t, into: &results) }
            membersPerFence[Int(fence)] += 1
        }
        if detectsInside {
            for fence in current { emit(.inside, fence: fence, object: slot, t: t, into: &results) }
        }
        if detectsOutside {
            // One result per fence the object is outside of: costs O(fences) per position.
            for fence in 0..<FenceIndex.Slot(fences.slotLimit) where fences.fence(at: fence) != nil && !Self.sortedContains(current, fence) {
                emit(.outside, fence: fence, object: slot, t: t, into: &results)
            }
        }
        if detectsCross, geometry == nil, let previousPoint {
            var crossing = crossingScratch
            crossingScratch = []
            crossing.removeAll(keepingCapacity: true)
            let index = fences
            index.forEachSlot(touching: Segment(previousPoint, point)) { fence in
                // Neither end inside: not recorded inside before, not inside now, and the previous
                // position not inside the fence's current shape (a fence added or replaced since).
                if !previous.contains(fence) && !Self.sortedContains(current, fence)
                    && !index.fence(at: fence).unsafelyUnwrapped.contains(previousPoint) {
                    crossing.append(fence)
                }
            }
            crossing.sort()
            for fence in crossing { emit(.cross, fence: fence, object: slot, t: t, into: &results) }
            crossingScratch = crossing
        }
        objects.inside[slot].assign(current)
        currentScratch = current
    }

    /// Appends one alert for the object in `object` (its current state) and the fence in `fence`.
    func emit(_ kind: AlertKind, fence: FenceIndex.Slot, object: Int, t: Int64, into results: inout [OperatorOutput]) {
        let json = AlertRendering.render(
            kind: kind, fence: fences.fence(at: fence).unsafelyUnwrapped.id, object: objects.ids[object],
            position: objects.lastPoint[object], geometry: objects.lastGeometry[object], props: objects.lastProps[object])
        results.append(OperatorOutput(topic: Self.topic, t: t, json: json))
    }

    /// Membership in a short ascending array (usually 0–2 fences: a linear scan beats a binary search).
    @inline(__always)
    static func sortedContains(_ sorted: [FenceIndex.Slot], _ slot: FenceIndex.Slot) -> Bool {
        for candidate in sorted {
            if candidate == slot { return true }
            if candidate > slot { return false }
        }
        return false
    }
}
