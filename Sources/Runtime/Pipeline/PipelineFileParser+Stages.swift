import Operators

/// `stages:` — the keys every stage has, then the operator's own keys.
extension PipelineFileParser {
    static let stageKeys = ["name", "operator", "partition", "endpoints"]
    static let partitionKeys = ["by", "workers", "halo"]
    static let maximumWorkers = 64

    /// Operators a pipeline can name today, with their own keys.
    static let operatorKeys: [(name: String, keys: [String])] = [
        ("heatmap", ["cell", "level", "min-count"]),
        ("range-alert", ["fences", "detect", "forget-after", "where"]),
        ("nearby", ["distance", "where", "forget-after"]),
    ]
    /// Operators ARCHITECTURE §7 promises that are not built yet: named so the error says "not yet"
    /// rather than "unknown".
    static let plannedOperators = ["cluster", "dissolve"]

    /// Every stage is checked even when an earlier one is wrong; nil when any is.
    mutating func stages(_ node: LocatedNode) -> [StageSpec]? {
        guard let items = recording({ (_) throws(PipelineError) in try node.list() }) else { return nil }
        guard !items.isEmpty else {
            problems.append(node.error(.invalidValue, "needs at least one stage"))
            return nil
        }
        var stages: [StageSpec] = []
        var nameNodes: [String: LocatedNode] = [:]
        var allValid = true
        for item in items {
            guard let stage = recording({ (parser) throws(PipelineError) in try parser.stage(item) }),
                  let nameNode = try? item.mapping().required("name") else {
                allValid = false
                continue
            }
            if let earlier = nameNodes[stage.name] {
                let place = earlier.line.map { ", line \($0)" } ?? ""
                problems.append(nameNode.error(.duplicate, "stage name '\(stage.name)' is already used by \(earlier.path)\(place)"))
                allValid = false
            }
            nameNodes[stage.name] = nameNodes[stage.name] ?? nameNode
            stages.append(stage)
        }
        return allValid ? stages : nil
    }

    mutating func stage(_ node: LocatedNode) throws(PipelineError) -> StageSpec {
        let mapping = try node.mapping()
        // The operator decides which other keys are allowed, so it is read before the key check;
        // an unknown operator is reported before unknown keys that belong to it.
        let operatorNode = try mapping.required("operator", example: "heatmap")
        let operatorName = try operatorNode.text(expected: "an operator name")
        guard let operatorKeys = Self.operatorKeys.first(where: { $0.name == operatorName })?.keys else {
            let known = Self.operatorKeys.map(\.name).joined(separator: ", ")
            if Self.plannedOperators.contains(operatorName) {
                throw operatorNode.error(.unknownOperator, "operator '\(operatorName)' is not yet available (available: \(known))")
            }
            var message = "unknown operator '\(operatorName)' (available: \(known); planned: \(Self.plannedOperators.joined(separator: ", ")))"
            if let suggestion = ClosestName.suggestion(for: operatorName, among: Self.operatorKeys.map(\.name) + Self.plannedOperators) {
                message += "; did you mean `\(suggestion)`?"
            }
            throw operatorNode.error(.unknownOperator, message)
        }
        try mapping.rejectUnknownKeys(known: Self.stageKeys + operatorKeys, what: "key for a \(operatorName) stage")
        let name = try mapping.required("name", example: "hotspots").identifier()
        let partitionNode = mapping.optional("partition")
        var partition = try partitionNode.map { (node) throws(PipelineError) in try self.partition(node) }
            ?? PartitionSpec(by: operatorName == "range-alert" ? .id : .space, workers: 1)
        let operatorSpec: OperatorSpec
        switch operatorName {
        case "heatmap": operatorSpec = .heatmap(try heatmap(mapping))
        case "range-alert":
            operatorSpec = .rangeAlert(try rangeAlert(mapping))
            // enter/exit need each object's previous position, so all of an object's events must
            // reach one worker.
            if partition.by == .space && partition.workers > 1, let partitionNode {
                throw partitionNode.error(.invalidValue, "a range-alert stage keeps per-object state: partition it by id (by: id), not by space")
            }
        case "nearby":
            let nearby = try nearby(mapping)
            operatorSpec = .nearby(nearby)
            if partition.workers > 1, let partitionNode {
                guard partition.by == .space else {
                    throw partitionNode.error(.invalidValue, "a nearby stage pairs objects that are close: partition it by space (by: space), not by id")
                }
                // Pairs across a partition border are found through halo copies at least `distance` wide.
                if partition.halo == 0 {
                    partition.halo = nearby.distance
                } else if partition.halo < nearby.distance {
                    throw partitionNode.error(.invalidValue,
                                              "halo \(Quantity.format(metres: partition.halo)) is less than the nearby distance \(Quantity.format(metres: nearby.distance)): pairs across partition borders would be missed (leave halo out to use the distance)")
                }
            }
        default: throw operatorNode.error(.unknownOperator, "operator '\(operatorName)' has no parameter reader")
        }
        var endpoints: [String]?
        if let endpointsNode = mapping.optional("endpoints") {
            let items = try endpointsNode.list()
            guard items.count == partition.workers else {
                throw endpointsNode.error(.invalidValue,
                                          "lists \(items.count) endpoint\(items.count == 1 ? "" : "s") but the stage has \(partition.workers) worker\(partition.workers == 1 ? "" : "s"): give one per worker")
            }
            var list: [String] = []
            for item in items { list.append(try bindEndpoint(item)) }
            endpoints = list
        }
        return StageSpec(name: name, partition: partition, operatorSpec: operatorSpec, endpoints: endpoints)
    }

    func partition(_ node: LocatedNode) throws(PipelineError) -> PartitionSpec {
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(known: Self.partitionKeys)
        let byNode = try mapping.required("by", example: "space")
        let byText = try byNode.text(expected: "space or id")
        guard let by = PartitionSpec.By(rawValue: byText) else {
            throw byNode.error(.invalidValue, "expected space or id, got '\(byText)'")
        }
        let workers = try mapping.optional("workers")?.integer(in: 1...Self.maximumWorkers) ?? 1
        var halo = 0.0
        if let haloNode = mapping.optional("halo") {
            halo = try haloNode.metres()
            guard by == .space || halo == 0 else {
                throw haloNode.error(.invalidValue, "halo applies only to partition by space (by id sends each object to one worker)")
            }
        }
        return PartitionSpec(by: by, workers: workers, halo: halo)
    }

    /// `heatmap`: `cell` XOR `level`, and `min-count`.
    func heatmap(_ stage: LocatedMapping) throws(PipelineError) -> HeatmapSpec {
        let cellNode = stage.optional("cell")
        let levelNode = stage.optional("level")
        let cells: HeatmapSpec.Cells
        switch (cellNode, levelNode) {
        case let (cellNode?, nil):
            let metres = try cellNode.metres()
            guard metres > 0 else { throw cellNode.error(.invalidValue, "must be a positive distance") }
            cells = .metres(metres)
        case let (nil, levelNode?):
            cells = .level(try levelNode.integer(in: 0...24))
        case let (_?, levelNode?):
            throw levelNode.error(.invalidValue, "give either cell (a distance) or level (0-24), not both", atKey: true)
        case (nil, nil):
            throw stage.node.error(.missingKey, "a heatmap stage needs cell (e.g. cell: 250m) or level (e.g. level: 14)", atKey: true)
        }
        let minCount = try stage.optional("min-count")?.integer(in: 1...Int.max) ?? 1
        return HeatmapSpec(cells: cells, minCount: minCount)
    }
}
