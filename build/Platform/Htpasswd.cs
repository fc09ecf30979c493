using System.Security.Cryptography;
using System.Text;

namespace DataPlatform.Build.Platform;

/// <summary>
/// The registry's htpasswd line, computed here so that no container runs while templating (running httpd's htpasswd
/// in docker would need an engine just to render values). The salt is derived from the credentials so the line is
/// stable from one run to the next: a fresh salt would make helmfile see a change, and upgrade the registry, on every Up.
/// The cost is htpasswd -B's default, 5, as the seed's `httpd:2 htpasswd -Bbn` made it (Apache's htpasswd manual: "-C
/// cost ... default: 5"): every run computes this line, and cost 10 took a tenth of a second of a warm Up.
/// </summary>
internal static class Htpasswd
{
    const int Cost = 5;
    const string BcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string Line(string user, string password)
    {
        var seed = HMACSHA256.HashData(Encoding.UTF8.GetBytes(user), Encoding.UTF8.GetBytes("data-platform-registry:" + password));
        // 22 salt characters; the last one carries only 2 significant bits in bcrypt's encoding.
        var salt = new string(seed.Take(21).Select(b => BcryptAlphabet[b % 64]).Append(BcryptAlphabet[seed[21] % 4 * 16]).ToArray());
        return $"{user}:{BCrypt.Net.BCrypt.HashPassword(password, $"$2y${Cost:00}$" + salt)}";
    }
}
