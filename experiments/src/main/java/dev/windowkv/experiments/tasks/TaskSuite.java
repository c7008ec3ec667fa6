package dev.windowkv.experiments.tasks;

import java.util.List;

/** The synthetic tasks by name. A new task is one new file plus a line here. */
public final class TaskSuite {
    private static final List<Task> TASKS = List.of(
            NiahSingle.passkey(),
            NiahSingle.word(),
            new NiahMultiKey(),
            new NiahMultiValue(),
            new NiahMultiQuery(),
            new VariableTracking(),
            new CommonWordsExtraction(),
            new FrequentWordsExtraction());

    private TaskSuite() {
    }

    public static List<Task> all() {
        return TASKS;
    }

    public static List<String> names() {
        return TASKS.stream().map(Task::name).toList();
    }

    /** @throws UnknownTaskError naming the valid tasks */
    public static Task byName(String name) {
        return TASKS.stream()
                .filter(t -> t.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new UnknownTaskError("unknown task '" + name + "'; valid tasks: "
                        + String.join(", ", names())));
    }
}
