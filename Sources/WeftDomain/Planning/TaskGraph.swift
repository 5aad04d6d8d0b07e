/// The dependency graph of a job's tasks.
public enum TaskGraph {
    /// Dangling dependencies, duplicates and cycles, as problems.
    public static func problems(_ tasks: [JobTask], file: String? = nil) -> [Problem] {
        var out: [Problem] = []
        var keys = Set<String>()
        for t in tasks {
            if let p = Names.problem(t.key, kind: "task key") { out.append(Problem(file: file, p.message)) }
            if !keys.insert(t.key).inserted { out.append(Problem(file: file, "task key '\(t.key)' is used twice")) }
        }
        for t in tasks {
            for d in t.dependsOn where !keys.contains(d) {
                out.append(Problem(file: file, "task '\(t.key)' depends on '\(d)', which is not a task of this job"))
            }
            if t.dependsOn.contains(t.key) { out.append(Problem(file: file, "task '\(t.key)' depends on itself")) }
        }
        if let cycle = cycle(tasks) {
            // Named after its first task, so a file's problem can point at that task's line.
            out.append(Problem(file: file, "task '\(cycle[0])': the tasks' depends_on form a cycle: " + cycle.joined(separator: " → ")))
        }
        return out
    }

    /// One dependency cycle, if any, as the list of keys along it (first repeated at the end). Iterative (a
    /// 10,000-task chain is 10,000 deep), linear in tasks and edges.
    public static func cycle(_ tasks: [JobTask]) -> [String]? {
        let deps = Dictionary(tasks.map { ($0.key, $0.dependsOn) }, uniquingKeysWith: { a, _ in a })
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var stack: [(key: String, next: Int)] = []
        for t in tasks where state[t.key] == nil {
            state[t.key] = 1
            stack.append((t.key, 0))
            while let top = stack.last {
                let ds = deps[top.key] ?? []
                if top.next == ds.count {
                    state[top.key] = 2
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                let d = ds[top.next]
                guard deps[d] != nil else { continue }
                switch state[d] {
                case 2: continue
                case 1:
                    let i = stack.firstIndex { $0.key == d } ?? 0
                    return stack[i...].map(\.key) + [d]
                default:
                    state[d] = 1
                    stack.append((d, 0))
                }
            }
        }
        return nil
    }

    /// Task keys in an order where every task comes after its dependencies (input order among peers).
    public static func topologicalOrder(_ tasks: [JobTask]) -> [String] { orderAndLevels(tasks).order }

    /// The depth (longest chain of dependencies) of each task, for drawing the graph as text.
    public static func levels(_ tasks: [JobTask]) -> [String: Int] { orderAndLevels(tasks).levels }

    /// Both at once, in time linear in tasks and edges (Kahn's algorithm by waves): wave 0 is the tasks without
    /// dependencies, wave n those whose last dependency is in wave n-1, each wave in input order — a task's wave is
    /// its depth. Tasks that never become ready (a cycle, a dependency that is not a task) follow in input order,
    /// one deeper than their deepest placed dependency.
    public static func orderAndLevels(_ tasks: [JobTask]) -> (order: [String], levels: [String: Int]) {
        var index: [String: Int] = [:]
        for (i, t) in tasks.enumerated() where index[t.key] == nil { index[t.key] = i }
        var waiting = [Int](repeating: 0, count: tasks.count)
        var dependents: [String: [Int]] = [:]
        var placed = [Bool](repeating: false, count: tasks.count)
        for (i, t) in tasks.enumerated() {
            for d in Set(t.dependsOn) {
                waiting[i] += 1
                dependents[d, default: []].append(i)
            }
        }
        var order: [String] = []
        order.reserveCapacity(tasks.count)
        var level: [String: Int] = [:]
        var doneKeys = Set<String>()
        var wave = (0..<tasks.count).filter { waiting[$0] == 0 }
        var depth = 0
        while !wave.isEmpty {
            var next: [Int] = []
            for i in wave {
                placed[i] = true
                let key = tasks[i].key
                order.append(key)
                if level[key] == nil { level[key] = depth }
                // A key is done once (a duplicated key satisfies its dependents the first time).
                guard doneKeys.insert(key).inserted else { continue }
                for j in dependents[key] ?? [] {
                    waiting[j] -= 1
                    if waiting[j] == 0 { next.append(j) }
                }
            }
            next.sort()
            wave = next
            depth += 1
        }
        for (i, t) in tasks.enumerated() where !placed[i] {
            order.append(t.key)
            level[t.key] = t.dependsOn.compactMap { level[$0] }.max().map { $0 + 1 } ?? 0
        }
        return (order, level)
    }
}
