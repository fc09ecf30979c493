using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("DataPlatform.Build.Tests.Infrastructure.StartsFirstCollectionOrderer", "Build.Tests")]

namespace DataPlatform.Build.Tests.Infrastructure;

/// <summary>
/// Marks a collection definition whose tests run far longer than any other class (minutes, not seconds): it starts
/// before the rest. The collections run in parallel on a fixed number of threads, started in order, so a long one
/// started last runs alone at the end of the suite while the other threads have nothing left to do.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class StartsFirstAttribute : Attribute;

/// <summary>xunit's own order (stable, arbitrary), with the <see cref="StartsFirstAttribute"/> collections moved to its front.</summary>
public sealed class StartsFirstCollectionOrderer : ITestCollectionOrderer
{
    readonly DefaultTestCollectionOrderer _default = new();

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        _default.OrderTestCollections(testCollections).OrderBy(c => StartsFirst(c) ? 0 : 1);

    static bool StartsFirst(ITestCollection collection) =>
        collection.CollectionDefinition?.GetCustomAttributes(typeof(StartsFirstAttribute).AssemblyQualifiedName).Any() == true;
}
