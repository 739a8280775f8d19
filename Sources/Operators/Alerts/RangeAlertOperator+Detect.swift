import GeoCore
import Wire

extension RangeAlertOperator {
    /// One position of an object (a point, or an area with `point` its bounds centre), in event-time order.
    ///
    /// Finds the fences it is in (R-tree, then exact test), compares them with the fences it was in
    /// and emits what `spec.detect` asks for, all at the position's time and with the new position.
    /// Touches only the object's hot state unless an alert is due or the object is inside a fence.
    mutating func observe(id: String, t: Int64, point: Point, geometry: Geometry?, props: JSONObject,
                          into results: inout [OperatorOutput]) {
        if !spec.filter.isEmpty && !spec.filter.matches(props) {
            filteredEvents += 1
            return
        }
        let slot: Int
        var previousPoint: Point?
        var wasArea = false
        if let known = objects.slot(of: id) {
            slot = known
            wasArea = objects.states[slot].isArea
            if !wasArea { previousPoint = objects.states[slot].lastPoint }
        } else {
            slot = objects.add(id: id)
            expiries.push(Self.saturatingAdd(t, forgetAfter), slot: slot)
        }

        var current = currentScratch
        currentScratch = []
        current.removeAll(keepingCapacity: true)
        if let geometry {
            fences.forEachSlot(intersecting: geometry) { current.append($0) }
        } else {
            fences.appendSlots(containing: point, to: &current)
        }
        if current.count > 1 { current.sort() }

        let previous = objects.states[slot].inside
        objects.states[slot].lastT = t
        objects.states[slot].lastPoint = point
        if geometry != nil || wasArea {
            objects.states[slot].isArea = geometry != nil
            objects.lastGeometry[slot] = geometry
        }

        if !previous.isEmpty {
            previous.forEach { fence in
                guard !Self.sortedContains(current, fence) else { return }
                if detectsExit { emit(.exit, fence: fence, object: id, point: point, geometry: geometry, props: props, t: t, into: &results) }
                membersPerFence[Int(fence)] -= 1
            }
        }
        for fence in current where !previous.contains(fence) {
            if detectsEnter { emit(.enter, fence: fence, object: id, point: point, geometry: geometry, props: props, t: t, into: &results) }
            membersPerFence[Int(fence)] += 1
        }
        if detectsInside {
            for fence in current { emit(.inside, fence: fence, object: id, point: point, geometry: geometry, props: props, t: t, into: &results) }
        }
        if detectsOutside {
            // One result per fence the object is outside of: costs O(fences) per position.
            for fence in 0..<FenceIndex.Slot(fences.slotLimit) where fences.fence(at: fence) != nil && !Self.sortedContains(current, fence) {
                emit(.outside, fence: fence, object: id, point: point, geometry: geometry, props: props, t: t, into: &results)
            }
        }
        if detectsCross, geometry == nil, let previousPoint {
            appendCrossings(from: previousPoint, to: point, previous: previous, current: current)
            for fence in crossingScratch { emit(.cross, fence: fence, object: id, point: point, geometry: geometry, props: props, t: t, into: &results) }
        }
        // Props are needed later only for an exit by forget-after or fence removal, i.e. while inside.
        if !current.isEmpty {
            objects.lastProps[slot] = props
        } else if !previous.isEmpty {
            objects.lastProps[slot] = JSONObject()
        }
        if !current.isEmpty || !previous.isEmpty { objects.states[slot].inside.assign(current) }
        currentScratch = current
    }

    /// Fills `crossingScratch` (ascending) with the fences the segment touches while neither end is
    /// inside: not recorded inside before, not inside now, and the previous position not inside the
    /// fence's current shape (a fence added or replaced since).
    private mutating func appendCrossings(from start: Point, to end: Point, previous: FenceMembership, current: [FenceIndex.Slot]) {
        var crossing = crossingScratch
        crossingScratch = []
        crossing.removeAll(keepingCapacity: true)
        let index = fences
        index.forEachSlot(touching: Segment(start, end)) { fence in
            if !previous.contains(fence) && !Self.sortedContains(current, fence)
                && !index.fence(at: fence).unsafelyUnwrapped.contains(start) {
                crossing.append(fence)
            }
        }
        crossing.sort()
        crossingScratch = crossing
    }

    /// Appends one alert about `object` at `point` (an area's bounds centre, with the area in `geometry`).
    func emit(_ kind: AlertKind, fence: FenceIndex.Slot, object: String, point: Point, geometry: Geometry?, props: JSONObject,
              t: Int64, into results: inout [OperatorOutput]) {
        let json = AlertRendering.render(kind: kind, fence: fences.fence(at: fence).unsafelyUnwrapped.id, object: object,
                                         position: point, geometry: geometry, props: props)
        results.append(OperatorOutput(topic: Self.topic, t: t, json: json))
    }

    /// Appends one alert about an object's last position (forget-after, fence removal): only for
    /// objects inside a fence, the only ones whose props are kept.
    func emitAtLastPosition(_ kind: AlertKind, fence: FenceIndex.Slot, object: Int, t: Int64, into results: inout [OperatorOutput]) {
        emit(kind, fence: fence, object: objects.ids[object], point: objects.states[object].lastPoint,
             geometry: objects.lastGeometry[object], props: objects.lastProps[object], t: t, into: &results)
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
