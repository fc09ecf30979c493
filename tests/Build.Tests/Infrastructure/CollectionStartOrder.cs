using System.Reflection;
using DataPlatform.Build.Tests.EndToEnd;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("DataPlatform.Build.Tests.Infrastructure.CollectionStartOrder", "Build.Tests")]

namespace DataPlatform.Build.Tests.Infrastructure;

/// <summary>
/// Marks a collection definition whose tests run far longer than any other class (minutes, not seconds): it starts
/// before the rest.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class StartsFirstAttribute : Attribute;

/// <summary>
/// The order the collections start in. They run in parallel on a fixed number of threads (xunit.runner.json), started
/// in order, and a started collection keeps its thread while it waits. On 2 cores that decides the suite's length:
/// <list type="number">
/// <item>the <see cref="StartsFirstAttribute"/> collections: a long one started last runs alone at the end;</item>
/// <item>the classes that need no compiled build host: they run while the one compile of the run (about a minute,
/// started by the first class that needs it) takes the rest of the machine;</item>
/// <item>the classes that wait for that compile (<see cref="CompiledBuildRoot"/>): started before it ends, each would
/// hold a thread doing nothing.</item>
/// </list>
/// Within each group, xunit's own order (stable, arbitrary).
/// </summary>
public sealed class CollectionStartOrder : ITestCollectionOrderer
{
    /// <summary>How xunit 2 names the collection of a class that has no [Collection] of its own (CollectionPerClassTestCollectionFactory).</summary>
    internal const string PerClassPrefix = "Test collection for ";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        new DefaultTestCollectionOrderer().OrderTestCollections(testCollections).OrderBy(Group);

    internal static int Group(ITestCollection collection) =>
        StartsFirst(collection) ? 0 : WaitsForTheCompile(collection) ? 2 : 1;

    static bool StartsFirst(ITestCollection collection) =>
        collection.CollectionDefinition?.GetCustomAttributes(typeof(StartsFirstAttribute).AssemblyQualifiedName).Any() == true;

    static bool WaitsForTheCompile(ITestCollection collection) =>
        ClassOf(collection)?.IsAssignableTo(typeof(IClassFixture<CompiledBuildRoot>)) == true;

    /// <summary>The test class of a per-class collection, or null for a named one.</summary>
    internal static Type? ClassOf(ITestCollection collection) =>
        collection.CollectionDefinition is null && collection.DisplayName.StartsWith(PerClassPrefix, StringComparison.Ordinal)
            ? Assembly.GetExecutingAssembly().GetType(collection.DisplayName[PerClassPrefix.Length..])
            : null;
}
