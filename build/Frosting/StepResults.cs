using System.Collections.Concurrent;

namespace DataPlatform.Build.Frosting;

/// <summary>
/// The values tasks returned during this run, one per type, each written once by the task that decided it.
/// A task that ran alone (--exclusive) finds nothing here and works the value out itself.
/// </summary>
internal sealed class StepResults
{
    readonly ConcurrentDictionary<Type, object> _values = new();

    public void Record<T>(T value) where T : class
    {
        if (!_values.TryAdd(typeof(T), value))
            throw new InvalidOperationException($"{typeof(T).Name} was already decided in this run; a step's result is written once.");
    }

    public T? Find<T>() where T : class => _values.TryGetValue(typeof(T), out var value) ? (T)value : null;
}
