public import GeoCore
import Operators
public import Wire

/// Decides which workers receive an event: one worker of every stage (by the stage's partitioning),
/// with workers numbered globally across stages in pipeline order.
///
/// - by-id: a stable hash of the object id, the same on every machine and run.
/// - by-space: the owner of the event's Hilbert slot in the stage's `SpacePartitionMap`, built from
///   a sample of the stream's first points (`buildMaps`). Polygons go to every worker whose slots
///   they overlap; fence polygons go to every worker of every stage (fences are broadcast).
public final class EventRouter {
    private enum Rule {
        case single
        case id(IdPartitioner)
        case space(SpacePartitionMap?)
    }

    private let spec: PipelineSpec
    // Read for every event by the source's one thread (see PipelineSource).
    @exclusivity(unchecked) private var rules: [Rule]
    /// First global worker index of each stage.
    private let offsets: [Int]
    private let stageOfWorker: [Int]
    /// by-space stages with a halo distance (metres), the only ones that pay for the halo lookup.
    private let haloStages: [(stage: Int, metres: Double)]
    @exclusivity(unchecked) private var haloScratch: [Int] = []
    /// Stages routed by `worker(for:stage:)` and `haloWorkers(for:into:)`: every stage but nearby ones.
    public let plainStages: [Int]
    @exclusivity(unchecked) private var nearby: [NearbyRouting]

    public init(spec: PipelineSpec) {
        self.spec = spec
        rules = spec.stages.map { stage in
            if stage.partition.workers == 1 { return .single }
            switch stage.partition.by {
            case .id: return .id(IdPartitioner(workers: stage.partition.workers))
            case .space: return .space(nil)
            }
        }
        var offsets: [Int] = []
        var stageOfWorker: [Int] = []
        var next = 0
        for (index, stage) in spec.stages.enumerated() {
            offsets.append(next)
            next += stage.partition.workers
            stageOfWorker += Array(repeating: index, count: stage.partition.workers)
        }
        self.offsets = offsets
        self.stageOfWorker = stageOfWorker
        let nearbyStages = spec.stages.indices.filter { if case .nearby = spec.stages[$0].operatorSpec { true } else { false } }
        plainStages = spec.stages.indices.filter { !nearbyStages.contains($0) }
        haloStages = spec.stages.enumerated().compactMap { index, stage in
            !nearbyStages.contains(index) && stage.partition.by == .space && stage.partition.workers > 1 && stage.partition.halo > 0
                ? (index, stage.partition.halo) : nil
        }
        nearby = nearbyStages.map { index in
            let stage = spec.stages[index]
            guard case let .nearby(nearbySpec) = stage.operatorSpec else { preconditionFailure("not a nearby stage") }
            precondition(stage.partition.workers <= NearbyRouting.maxWorkers,
                         "nearby stage \(stage.name): \(stage.partition.workers) workers, at most \(NearbyRouting.maxWorkers) (the loader must reject more)")
            return NearbyRouting(stage: index, spec: nearbySpec, partition: stage.partition, window: spec.window)
        }
    }

    /// Workers that get a halo copy of the point: for each by-space stage with a `halo` distance,
    /// the workers other than the owner whose slots lie within that distance (ARCHITECTURE §5).
    public func haloWorkers(for event: PointEvent, into result: inout [Int]) {
        for (stage, metres) in haloStages {
            guard case let .space(map?) = rules[stage] else { continue }
            haloScratch.removeAll(keepingCapacity: true)
            map.haloWorkers(of: event.point, within: metres, owner: map.worker(for: event.point), into: &haloScratch)
            for worker in haloScratch { result.append(offsets[stage] + worker) }
        }
    }

    /// True when some stage runs the nearby operator (the source then calls `nearbyDeliveries`).
    public var hasNearby: Bool { !nearby.isEmpty }

    /// Appends where the point goes for every nearby stage: its owner (`halo: false`), then as halo
    /// copies the workers within the stage's halo distance and the workers that hold the object's
    /// preceding position near their slots (the previous event's owner and halo workers), so every
    /// worker holding a position of the object near its slots also gets the object's next one.
    /// Points failing the stage's filter go nowhere (the operator ignores them, and they must not
    /// change the object's recipients).
    ///
    /// "Preceding" is in the order workers process events (`EventTimeQueue`: by time, then input
    /// order), not input order: an event older than one already routed for the same object (out
    /// of order within the lateness) goes to the workers of the position before it, and the
    /// object's next position after it is sent again, as a halo copy in `resends`, to the workers
    /// that get this one and did not get that one.
    ///
    /// Appends to `flushFirst` the workers whose pending events must be sent before these
    /// deliveries are queued: when the object already has an event at this time with another owner,
    /// one worker may hold that one in its halo batch and get this one in its owned batch (or the
    /// reverse), and the two batches are sent separately; flushing keeps input order, which decides
    /// which of the two is the position at that time. Rare (same object, same time, other owner).
    ///
    /// `watermark`: the source's; every later event has `t ≥ watermark`, so only the object's last
    /// position before it and those after it are remembered, and objects every worker has
    /// forgotten (`forgetAfter` after their last event) are dropped.
    public func nearbyDeliveries(for event: PointEvent, watermark: Int64, into deliveries: inout [PointDelivery],
                                 resends: inout [PointResend], flushFirst: inout [Int]) {
        for index in nearby.indices {
            let stage = nearby[index].stage
            guard nearby[index].spec.filter.isEmpty || nearby[index].spec.filter.matches(event.props) else { continue }
            let offset = offsets[stage]
            guard case let .space(map?) = rules[stage] else {
                // One worker (or, for a stage wrongly partitioned by id, its first worker: pairs
                // need space partitioning, and one worker holding everything is still exact).
                deliveries.append(PointDelivery(worker: offset, halo: false))
                continue
            }
            let owner = map.worker(for: event.point)
            haloScratch.removeAll(keepingCapacity: true)
            map.haloWorkers(of: event.point, within: nearby[index].haloMetres, owner: owner, into: &haloScratch)
            var own = UInt64(1) << UInt64(owner)
            for worker in haloScratch { own |= UInt64(1) << UInt64(worker) }
            let step = NearbyRouting.Step(t: event.t, event: event, own: own, owner: Int32(owner), reached: own)
            let isNew = nearby[index].tracks[event.id] == nil
            let routed = nearby[index].tracks[event.id, default: []].insert(step, watermark: watermark)
            deliveries.append(PointDelivery(worker: offset + owner, halo: false))
            var halo = routed.recipients & ~(UInt64(1) << UInt64(owner))
            while halo != 0 {
                deliveries.append(PointDelivery(worker: offset + halo.trailingZeroBitCount, halo: true))
                halo &= halo - 1
            }
            if let resend = routed.resend {
                var workers = resend.workers
                while workers != 0 {
                    resends.append(PointResend(worker: offset + workers.trailingZeroBitCount, event: resend.event))
                    workers &= workers - 1
                }
            }
            if let replacedOwner = routed.replacedOwner, Int(replacedOwner) != owner {
                flushFirst.append(offset + Int(replacedOwner))
                flushFirst.append(offset + owner)
            }
            if isNew && nearby[index].tracks.count >= nearby[index].pruneAt {
                nearby[index].prune(watermark: watermark)
            }
        }
    }

    /// Objects whose previous recipients a nearby stage remembers (for tests and stats).
    public func nearbyTrackedObjects(stage: Int) -> Int {
        nearby.first { $0.stage == stage }?.tracks.count ?? 0
    }

    public var workerCount: Int { stageOfWorker.count }
    public var stageCount: Int { offsets.count }
    /// True when some stage takes halo copies (the source skips the lookup otherwise).
    public var hasHalo: Bool { !haloStages.isEmpty }

    /// The global worker of `stage` that owns the point (one call per stage and event: no array).
    @inline(__always)
    public func worker(for event: PointEvent, stage: Int) -> Int {
        switch rules[stage] {
        case .single: offsets[stage]
        case let .id(partitioner): offsets[stage] + partitioner.worker(for: event.id)
        case let .space(map): offsets[stage] + (map?.worker(for: event.point) ?? 0)
        }
    }

    /// True while some by-space stage has more than one worker and no map yet.
    public var needsSample: Bool {
        rules.contains { if case .space(nil) = $0 { true } else { false } }
    }

    /// Builds every by-space stage's partition map from the same sample (deterministic: the sample
    /// is the stream's first non-late points, in input order).
    public func buildMaps(sample: [Point]) {
        for (index, rule) in rules.enumerated() {
            if case .space(nil) = rule {
                rules[index] = .space(SpacePartitionMap(bbox: spec.bbox, workers: spec.stages[index].partition.workers, sample: sample))
            }
        }
    }

    /// The partition map of a by-space stage, once built.
    public func spaceMap(stage: Int) -> SpacePartitionMap? {
        if case let .space(map) = rules[stage] { map } else { nil }
    }

    public func partition(ofWorker global: Int) -> Int { global - offsets[stageOfWorker[global]] }

    public func workers(for event: PolygonEvent, into result: inout [Int]) {
        for (stage, rule) in rules.enumerated() {
            let offset = offsets[stage]
            if event.role == .fence || event.geometry == nil {
                result.append(contentsOf: offset..<(offset + spec.stages[stage].partition.workers))
                continue
            }
            switch rule {
            case .single: result.append(offset)
            case let .id(partitioner): result.append(offset + partitioner.worker(for: event.id))
            case let .space(map):
                guard let map, let bounds = event.geometry?.bounds else {
                    result.append(offset)
                    continue
                }
                result.append(contentsOf: map.workers(overlapping: bounds).map { offset + $0 })
            }
        }
    }
}

/// One delivery of a point to a worker (global index); `halo` marks a copy owned elsewhere.
public struct PointDelivery: Hashable, Sendable {
    public var worker: Int
    public var halo: Bool

    public init(worker: Int, halo: Bool) {
        self.worker = worker
        self.halo = halo
    }
}

/// An earlier-routed event of the same object sent again (as a halo copy) to a worker that must
/// see it after the out-of-order event that caused it.
public struct PointResend: Hashable, Sendable {
    public var worker: Int
    public var event: PointEvent

    public init(worker: Int, event: PointEvent) {
        self.worker = worker
        self.event = event
    }
}

/// The router's memory for one nearby stage: per object, where its recent positions went.
struct NearbyRouting {
    /// Recipients are a bitmask of the stage's (local) workers.
    static let maxWorkers = 64

    /// The object's position at one time (the last event with that time, in input order).
    struct Step {
        var t: Int64
        var event: PointEvent
        /// Owner and halo workers of the event: the workers that hold it near their slots.
        var own: UInt64
        var owner: Int32
        /// Every worker the step's event (or an earlier one with the same time) was sent to.
        var reached: UInt64
    }

    let stage: Int
    let spec: NearbySpec
    /// The loader guarantees halo ≥ distance; the larger one is used so a spec built in code
    /// without a halo still routes every near pair to a common worker.
    let haloMetres: Double
    let forgetAfter: Int64
    /// Per object, its steps in time order: the last one before the watermark and every later one.
    var tracks: [String: [Step]] = [:]
    /// Prune when the table reaches this size: twice what survived the last prune, so pruning
    /// costs O(1) amortised per new object.
    var pruneAt = 4_096

    init(stage: Int, spec: NearbySpec, partition: PartitionSpec, window: WindowSpec) {
        self.stage = stage
        self.spec = spec
        haloMetres = max(partition.halo, spec.distance)
        forgetAfter = max(1, spec.forgetAfter ?? window.size)
    }

    /// Drops objects whose last event is at least `forgetAfter` before the watermark: every worker
    /// that held them forgets them before processing any later event (which has `t ≥ watermark`).
    mutating func prune(watermark: Int64) {
        if watermark > .min {
            let forgetAfter = forgetAfter
            tracks = tracks.filter { _, steps in
                let (expiry, overflow) = steps[steps.count - 1].t.addingReportingOverflow(forgetAfter)
                return overflow || expiry > watermark
            }
        }
        pruneAt = max(4_096, tracks.count * 2)
    }
}

extension [NearbyRouting.Step] {
    struct Routed {
        /// Workers that get the new event (its owner included).
        var recipients: UInt64
        /// The next position after the new event, for workers that must now see it too.
        var resend: (event: PointEvent, workers: UInt64)?
        /// Owner of the event this one replaced (same time), whose batches must keep their order.
        var replacedOwner: Int32?
    }

    /// Inserts the object's new step in time order and says where its event goes (the induction in
    /// `docs/nearby.md`: every step's successor reaches the step's own workers).
    mutating func insert(_ step: NearbyRouting.Step, watermark: Int64) -> Routed {
        // Steps before the watermark other than the last of them can precede no future event.
        var firstKept = 0
        while firstKept + 1 < count && self[firstKept + 1].t < watermark { firstKept += 1 }
        if firstKept > 0 { removeFirst(firstKept) }

        var place = count
        while place > 0 && self[place - 1].t > step.t { place -= 1 }
        var routed = Routed(recipients: step.own)
        if place > 0 && self[place - 1].t == step.t {
            // Same time: this event replaces the earlier one wherever that one went.
            let replaced = self[place - 1]
            routed.recipients |= replaced.reached
            routed.replacedOwner = replaced.owner
            var merged = step
            merged.reached = routed.recipients
            self[place - 1] = merged
        } else {
            if place > 0 { routed.recipients |= self[place - 1].own }
            var inserted = step
            inserted.reached = routed.recipients
            insert(inserted, at: place)
            place += 1
        }
        if place < count {
            // Out of order: the position after this one must reach this one's own workers too.
            let missing = step.own & ~self[place].reached
            if missing != 0 {
                routed.resend = (self[place].event, missing)
                self[place].reached |= missing
            }
        }
        return routed
    }
}
