public import GeoCore
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
        haloStages = spec.stages.enumerated().compactMap { index, stage in
            stage.partition.by == .space && stage.partition.workers > 1 && stage.partition.halo > 0 ? (index, stage.partition.halo) : nil
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
