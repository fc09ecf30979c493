using System.Reflection;
using DataPlatform.Build.Tests.BuildHost;
using DataPlatform.Build.Tests.EndToEnd;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace DataPlatform.Build.Tests.Infrastructure;

/// <summary>
/// The suite's start order finds what it sorts by through xunit's own collection factory, as the runner builds them: a
/// class it could no longer recognise would start in the wrong group, and the suite would only get slower.
/// </summary>
public sealed class CollectionStartOrderTests
{
    static readonly CollectionPerClassTestCollectionFactory Collections =
        new(new TestAssembly(Reflector.Wrap(Assembly.GetExecutingAssembly())), new NullMessageSink());

    static ITestCollection CollectionOf(Type testClass) => Collections.Get(Reflector.Wrap(testClass));

    /// <summary>The test classes that are collections of their own (a [Collection] is ordered by its definition).</summary>
    static IEnumerable<Type> TestClasses() => Assembly.GetExecutingAssembly().GetTypes()
        .Where(t => t.IsClass && !t.IsAbstract && t.GetCustomAttribute<CollectionAttribute>() is null
            && t.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>().Any()));

    [Fact]
    public void Every_class_that_needs_the_compiled_host_starts_after_those_that_do_not()
    {
        var waiting = TestClasses().Where(t => t.IsAssignableTo(typeof(IClassFixture<CompiledBuildRoot>))).ToList();
        var others = TestClasses().Except(waiting).ToList();

        Assert.NotEmpty(waiting);
        Assert.NotEmpty(others);
        Assert.All(waiting, t => Assert.True(CollectionStartOrder.Group(CollectionOf(t)) == 2, $"{t.Name} would start before the compile ends"));
        Assert.All(others, t => Assert.Equal(1, CollectionStartOrder.Group(CollectionOf(t))));
    }

    [Fact]
    public void The_damaged_host_rebuild_starts_first()
    {
        var collection = CollectionOf(typeof(DamagedHostTests));

        Assert.Equal(DamagedHostCollection.Name, collection.DisplayName);
        Assert.Equal(0, CollectionStartOrder.Group(collection));
        var order = new CollectionStartOrder().OrderTestCollections(
            [CollectionOf(typeof(DoctorTests)), CollectionOf(typeof(CollectionStartOrderTests)), collection]);
        Assert.Equal([collection.DisplayName, CollectionOf(typeof(CollectionStartOrderTests)).DisplayName, CollectionOf(typeof(DoctorTests)).DisplayName],
            order.Select(c => c.DisplayName));
    }
}
