import GeoCore
import Operators
import Wire
import Yams

/// `range-alert` and `nearby` stages: fences, detect kinds, filters.
extension PipelineFileParser {
    static let fenceShapeKeys = ["rect", "circle", "polygon", "multipolygon"]

    /// `range-alert`: `fences` (a file, or a list of files and inline fences), `detect`,
    /// `forget-after`, `where`.
    func rangeAlert(_ stage: LocatedMapping) throws(PipelineError) -> RangeAlertSpec {
        let fencesNode = try stage.required("fences", example: "zones.geojson")
        var fences: [FenceDefinition] = []
        var fenceNodes: [String: LocatedNode] = [:]
        let items: [LocatedNode] = if case .sequence = fencesNode.node { try fencesNode.list() } else { [fencesNode] }
        guard !items.isEmpty else { throw fencesNode.error(.invalidValue, "needs at least one fence or fence file") }
        for item in items {
            for fence in try fenceEntry(item) {
                if let earlier = fenceNodes[fence.id] {
                    let place = earlier.line.map { ", line \($0)" } ?? ""
                    throw item.error(.duplicate, "fence id '\(fence.id)' is already defined by \(earlier.path)\(place)")
                }
                fenceNodes[fence.id] = item
                fences.append(fence)
            }
        }
        var detect: Set<AlertKind> = [.enter, .exit]
        if let detectNode = stage.optional("detect") {
            let kinds: [LocatedNode] = if case .sequence = detectNode.node { try detectNode.list() } else { [detectNode] }
            guard !kinds.isEmpty else { throw detectNode.error(.invalidValue, "name at least one of enter, exit, inside, outside, cross") }
            detect = []
            for kindNode in kinds {
                let text = try kindNode.text(expected: "enter, exit, inside, outside or cross")
                guard let kind = AlertKind(rawValue: text) else {
                    var message = "unknown detect kind '\(text)' (known: enter, exit, inside, outside, cross)"
                    if let suggestion = ClosestName.suggestion(for: text, among: AlertKind.allCases.map(\.rawValue)) {
                        message += "; did you mean `\(suggestion)`?"
                    }
                    throw kindNode.error(.invalidValue, message)
                }
                detect.insert(kind)
            }
        }
        return RangeAlertSpec(fences: fences, detect: detect, forgetAfter: try forgetAfter(stage),
                              filter: try propertyFilter(stage.optional("where")))
    }

    /// `nearby`: `distance`, `where`, `forget-after`.
    func nearby(_ stage: LocatedMapping) throws(PipelineError) -> NearbySpec {
        let distanceNode = try stage.required("distance", example: "100m")
        let distance = try distanceNode.metres()
        guard distance > 0 else { throw distanceNode.error(.invalidValue, "must be a positive distance") }
        return NearbySpec(distance: distance, filter: try propertyFilter(stage.optional("where")), forgetAfter: try forgetAfter(stage))
    }

    private func forgetAfter(_ stage: LocatedMapping) throws(PipelineError) -> Int64? {
        guard let node = stage.optional("forget-after") else { return nil }
        let milliseconds = try node.milliseconds()
        guard milliseconds > 0 else { throw node.error(.invalidValue, "must be positive") }
        return milliseconds
    }

    /// `where: {type: truck, class: 3}`: plain YAML scalars become numbers or booleans when they read
    /// as one (as CSV columns and JSON properties do); quote a value to keep it text.
    func propertyFilter(_ node: LocatedNode?) throws(PipelineError) -> PropertyFilter {
        guard let node else { return PropertyFilter() }
        let mapping = try node.mapping()
        var required: [JSONMember] = []
        for entry in mapping.entries {
            required.append(JSONMember(entry.name, try entry.value.scalarJSON()))
        }
        return PropertyFilter(required)
    }

    /// One `fences:` item: a file name, `{file: F, id: PROPERTY}`, or an inline fence
    /// `{id: depot, rect|circle|polygon|multipolygon: …, props: {…}}`.
    private func fenceEntry(_ node: LocatedNode) throws(PipelineError) -> [FenceDefinition] {
        if case .scalar = node.node {
            return try fenceFile(node, path: node.string(), idProperty: nil)
        }
        let mapping = try node.mapping()
        if let fileNode = mapping.optional("file") {
            try mapping.rejectUnknownKeys(known: ["file", "id"], what: "key for a fence file")
            let idProperty = try mapping.optional("id")?.string()
            return try fenceFile(fileNode, path: fileNode.string(), idProperty: idProperty)
        }
        try mapping.rejectUnknownKeys(known: ["id", "props"] + Self.fenceShapeKeys + ["file"], what: "key for a fence")
        let id = try mapping.required("id", example: "depot").text(expected: "a fence id")
        guard !id.isEmpty else { throw node.error(.invalidValue, "fence id must not be empty") }
        let shapes = mapping.entries.filter { Self.fenceShapeKeys.contains($0.name) }
        guard shapes.count == 1, let shapeEntry = shapes.first else {
            throw node.error(shapes.isEmpty ? .missingKey : .invalidValue,
                             "a fence needs exactly one of rect, circle, polygon, multipolygon (or file: for a GeoJSON file)", atKey: true)
        }
        let shapeNode = shapeEntry.value
        var props = JSONObject()
        if let propsNode = mapping.optional("props") {
            guard case let .object(object) = try propsNode.json() else { throw propsNode.error(.wrongType, "expected a mapping of properties") }
            props = object
        }
        let shape: FenceShape
        switch shapeEntry.name {
        case "rect":
            var values: [Double] = []
            for item in try shapeNode.list() { values.append(try item.finiteNumber()) }
            shape = try shapeNode.geometry { () throws(FenceGeometry.Problem) in try FenceGeometry.rect(values) }
        case "circle":
            let circle = try shapeNode.mapping()
            try circle.rejectUnknownKeys(known: ["center", "radius"])
            let centerNode = try circle.required("center", example: "[-74.01, 40.70]")
            let centerJSON = try centerNode.json()
            let center = try centerNode.geometry { () throws(FenceGeometry.Problem) in try FenceGeometry.position(centerJSON) }
            let radiusNode = try circle.required("radius", example: "200m")
            let radius = try radiusNode.metres()
            shape = try radiusNode.geometry { () throws(FenceGeometry.Problem) in try FenceGeometry.circle(center: center, radius: radius) }
        case "polygon":
            let coordinates = try shapeNode.json()
            shape = try shapeNode.geometry { () throws(FenceGeometry.Problem) in .polygon(try FenceGeometry.polygon(coordinates)) }
        default:
            let coordinates = try shapeNode.json()
            shape = try shapeNode.geometry { () throws(FenceGeometry.Problem) in .multiPolygon(try FenceGeometry.multiPolygon(coordinates)) }
        }
        return [FenceDefinition(id: id, shape: shape, props: props)]
    }

    private func fenceFile(_ node: LocatedNode, path: String, idProperty: String?) throws(PipelineError) -> [FenceDefinition] {
        do throws(FenceFile.Problem) {
            return try FenceFile.read(path: Self.resolve(path, against: baseDirectory), idProperty: idProperty)
        } catch {
            let code: PipelineError.Code = error.message.hasSuffix("does not exist") ? .fileNotFound : .invalidValue
            throw node.error(code, error.message)
        }
    }
}

extension LocatedNode {
    /// Runs a geometry conversion, reporting its problem at this node.
    func geometry<T>(_ body: () throws(FenceGeometry.Problem) -> T) throws(PipelineError) -> T {
        do {
            return try body()
        } catch {
            throw self.error(.invalidValue, error.message)
        }
    }

    /// The node as JSON: lists and mappings recursively, plain scalars as numbers/booleans/null
    /// when they read as one, quoted scalars as text.
    func json() throws(PipelineError) -> JSONValue {
        switch node {
        case .sequence:
            var items: [JSONValue] = []
            for item in try list() { items.append(try item.json()) }
            return .array(items)
        case .mapping:
            var members: [JSONMember] = []
            for entry in try mapping().entries { members.append(JSONMember(entry.name, try entry.value.json())) }
            return .object(JSONObject(members))
        case .alias:
            throw error(.wrongType, "YAML aliases are not supported here")
        case .scalar:
            return try scalarJSON(allowNull: true)
        }
    }

    func scalarJSON(allowNull: Bool = false) throws(PipelineError) -> JSONValue {
        guard case let .scalar(scalar) = node else { throw error(.wrongType, "expected a single value, got \(shownAs)") }
        if isNull {
            guard allowNull else { throw error(.wrongType, "expected a value, got nothing") }
            return .null
        }
        let text = scalar.string
        guard scalar.style == .plain else { return .string(text) }
        if let integer = Int64(text) { return .integer(integer) }
        if let number = Double(text), number.isFinite, text.contains(where: { $0.isNumber }) { return .double(number) }
        switch text {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: return .string(text)
        }
    }
}
