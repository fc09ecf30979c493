namespace DataPlatform.Build.Tests.RealDockerd;

/// <summary>The private daemon's address pool never overlaps a route of the machine (pure: no daemon, no process).</summary>
public class AddressPoolTests
{
    [Fact]
    public void The_pool_is_a_slash_16_of_10_200_to_254_that_no_route_touches()
    {
        string[] routes = ["default", "10.200.0.0/16", "10.201.7.0/24", "10.202.0.1", "192.0.2.0/24", "172.17.0.0/16"];

        for (var i = 0; i < 50; i++)
        {
            var pool = PrivateDockerd.ChooseAddressPool(routes);
            var second = int.Parse(pool.Split('.')[1]);
            Assert.EndsWith(".0.0/16", pool);
            Assert.StartsWith("10.", pool);
            Assert.InRange(second, 203, 254);
        }
    }

    [Fact]
    public void A_route_covering_all_of_10_slash_8_leaves_no_pool_and_says_so()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PrivateDockerd.ChooseAddressPool(["10.0.0.0/8"]));

        Assert.Contains("no address pool is free", error.Message);
    }
}
