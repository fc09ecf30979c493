namespace DataPlatform.Build.Images;

/// <summary>
/// An image the build itself pins, which no chart renders: the kind node image, the image cache's mirror, the access
/// proxy. A wrong pin fails the image check naming <see cref="Where"/> it is set and <see cref="Fix"/>.
/// </summary>
/// <param name="Role">What runs it, for the message ("the kind node image").</param>
/// <param name="Where">The file and line, or the file and constant, that sets it.</param>
/// <param name="Fix">What to change, and how to find the right value.</param>
internal sealed record PinnedImage(string Image, string Role, string Where, string Fix);
