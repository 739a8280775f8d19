public import Wire

/// Human and JSON renderings of a loaded spec, for `geostream check` and logs.
extension PipelineSpec {
    /// One line: `pipeline fleet: 2 stages (zones: heatmap, partition by id × 2 workers; ...),
    /// window 60s/5s/2s` (size/slide/lateness), in the file's own units.
    public var summary: String {
        let stageList = stages.map { stage in
            let workers = stage.partition.workers
            return "\(stage.name): \(stage.operatorSpec.name), partition by \(stage.partition.by.rawValue) × \(workers) worker\(workers == 1 ? "" : "s")"
        }.joined(separator: "; ")
        let window = [self.window.size, self.window.slide, self.window.lateness].map(Quantity.format(milliseconds:)).joined(separator: "/")
        return "pipeline \(name): \(stages.count) stage\(stages.count == 1 ? "" : "s") (\(stageList)), window \(window)"
    }

    /// The resolved spec with every default filled in; durations in ms, distances in metres.
    public var jsonValue: JSONValue {
        var object: JSONObject = ["name": .string(name)]
        var input: JSONObject = ["format": input.format.map { .string($0.rawValue) } ?? .null]
        input["columns"] = .object(JSONObject(CSVField.allCases.compactMap { field in
            self.input.columns[field].map { JSONMember(field.rawValue, .string($0)) }
        }))
        input["endpoint"] = self.input.endpoint.map(JSONValue.string) ?? .null
        input["strict"] = .bool(self.input.strict)
        object["input"] = .object(input)
        object["bbox"] = .array([bbox.minX, bbox.minY, bbox.maxX, bbox.maxY].map(JSONValue.double))
        object["window"] = .object(["size_ms": .integer(window.size), "slide_ms": .integer(window.slide),
                                    "lateness_ms": .integer(window.lateness)])
        object["stages"] = .array(stages.map(\.jsonValue))
        if let checkpoint {
            var value: JSONObject = ["dir": .string(checkpoint.directory)]
            switch checkpoint.every {
            case let .events(count): value["every_events"] = .integer(Int64(count))
            case let .eventTime(milliseconds): value["every_ms"] = .integer(milliseconds)
            }
            value["keep"] = .integer(Int64(checkpoint.keep))
            object["checkpoint"] = .object(value)
        } else {
            object["checkpoint"] = .null
        }
        object["output"] = .object(["endpoint": .string(output.endpoint), "collect": output.collect.map(JSONValue.string) ?? .null])
        if let query {
            object["query"] = .object(["endpoint": .string(query.endpoint), "collect": query.collect.map(JSONValue.string) ?? .null,
                                       "stage": .string(query.stage ?? stages.first?.name ?? "")])
        } else {
            object["query"] = .null
        }
        object["base_directory"] = .string(baseDirectory)
        return .object(object)
    }
}

extension StageSpec {
    var jsonValue: JSONValue {
        var object: JSONObject = ["name": .string(name), "operator": .string(operatorSpec.name)]
        object["partition"] = .object(["by": .string(partition.by.rawValue), "workers": .integer(Int64(partition.workers)),
                                       "halo_m": .double(partition.halo)])
        object["endpoints"] = endpoints.map { .array($0.map(JSONValue.string)) } ?? .null
        switch operatorSpec {
        case let .heatmap(heatmap):
            switch heatmap.cells {
            case let .metres(metres): object["cell_m"] = .double(metres)
            case let .level(level): object["level"] = .integer(Int64(level))
            }
            object["min_count"] = .integer(Int64(heatmap.minCount))
        case let .rangeAlert(alert):
            object["fences"] = .integer(Int64(alert.fences.count))
            object["detect"] = .array(alert.detect.sorted().map { .string($0.rawValue) })
            object["forget_after_ms"] = alert.forgetAfter.map(JSONValue.integer) ?? .null
            object["where"] = .object(JSONObject(alert.filter.required))
        case let .nearby(nearby):
            object["distance_m"] = .double(nearby.distance)
            object["forget_after_ms"] = nearby.forgetAfter.map(JSONValue.integer) ?? .null
            object["where"] = .object(JSONObject(nearby.filter.required))
        }
        return .object(object)
    }
}
