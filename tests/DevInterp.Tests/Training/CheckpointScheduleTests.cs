using DevInterp.Training;

namespace DevInterp.Tests.Training;

public class CheckpointScheduleTests
{
    private static void AssertValid(IReadOnlyList<long> steps, long total)
    {
        Assert.Equal(0, steps[0]);
        Assert.Equal(total, steps[^1]);
        for (int i = 1; i < steps.Count; i++) Assert.True(steps[i] > steps[i - 1], $"not strictly increasing at {i}: {string.Join(",", steps)}");
    }

    [Theory]
    [InlineData(5000, 40)]
    [InlineData(4000, 40)]
    [InlineData(100, 30)]
    [InlineData(1_000_000, 25)]
    [InlineData(37, 37)]
    public void LogScheduleIsDistinctDenseEarlyAndSparseLate(long total, int count)
    {
        var steps = CheckpointSchedule.LogSpaced(count).Resolve(total);
        AssertValid(steps, total);
        Assert.Equal(count, steps.Count);
        var gaps = steps.Zip(steps.Skip(1), (a, b) => b - a).ToList();
        // Gaps grow (up to rounding), so the first is the smallest and the last the largest.
        for (int i = 1; i < gaps.Count; i++) Assert.True(gaps[i] >= gaps[i - 1] - 1, $"gap {i} shrank: {string.Join(",", gaps)}");
        Assert.Equal(1, gaps[0]);
        Assert.Equal(gaps.Max(), gaps[^1]);
        // Even in log(1 + step): for long runs, half of the checkpoints lie below sqrt(total + 1) - 1. (Short runs
        // crowd the first steps, which are pushed apart to stay distinct.)
        if (total >= 100L * count)
        {
            double middle = Math.Sqrt(total + 1.0) - 1;
            Assert.InRange(steps.Count(s => s <= middle), count / 2 - 1, count / 2 + 1);
        }
        else
        {
            Assert.True(steps.Count(s => s <= total / 2) > count / 2);
        }
    }

    [Fact]
    public void LinearScheduleIsEven()
    {
        var steps = CheckpointSchedule.LinearSpaced(11).Resolve(1000);
        Assert.Equal([0L, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000], steps);
        var uneven = CheckpointSchedule.LinearSpaced(4).Resolve(10);
        AssertValid(uneven, 10);
        Assert.Equal([0L, 3, 7, 10], uneven);
    }

    [Fact]
    public void ShortRunsAndExplicitSchedules()
    {
        Assert.Equal([0L, 1, 2, 3, 4, 5], CheckpointSchedule.LogSpaced(30).Resolve(5));
        Assert.Equal([0L], CheckpointSchedule.LogSpaced(30).Resolve(0));
        Assert.Equal([0L, 1], CheckpointSchedule.LinearSpaced(2).Resolve(1));
        Assert.Equal([0L, 10, 50, 100], CheckpointSchedule.At(50, 10, 50, 500).Resolve(100));
        Assert.Throws<ArgumentOutOfRangeException>(() => CheckpointSchedule.LogSpaced(3).Resolve(-1));
    }

    [Fact]
    public void LogScheduleWithAnOffsetStartsEvenAndGrows()
    {
        // Even in log(300 + step): the first gaps are ≈ 300·ln(5300/300)/111 ≈ 7.8 steps, the last ≈ 5300·(that)/300 ≈ 137.
        var schedule = CheckpointSchedule.LogSpaced(112, offset: 300);
        var steps = schedule.Resolve(5000);
        AssertValid(steps, 5000);
        Assert.Equal(112, steps.Count);
        var gaps = steps.Zip(steps.Skip(1), (a, b) => b - a).ToList();
        Assert.InRange(gaps.Take(5).Min(), 7, 9);
        Assert.InRange(gaps[^1], 125, 145);
        for (int i = 1; i < gaps.Count; i++) Assert.True(gaps[i] >= gaps[i - 1] - 1, $"gap {i} shrank: {string.Join(",", gaps)}");
        // Offset 1 is the plain log schedule, and the JSON form carries the offset only when it is not 1.
        Assert.Equal(CheckpointSchedule.LogSpaced(40).Resolve(5000), CheckpointSchedule.LogSpaced(40, offset: 1).Resolve(5000));
        Assert.False(CheckpointSchedule.LogSpaced(40).ToJson().ContainsKey("offset"));
        Assert.Equal(300, schedule.ToJson()["offset"]!.GetValue<long>());
        var settings = new TrainingSettings(5000, Schedule: schedule);
        Assert.Equal(steps, TrainingSettings.Parse(settings.ToJson()).EffectiveSchedule.Resolve(5000));
        var json = settings.ToJson();
        json["schedule"] = new System.Text.Json.Nodes.JsonObject { ["kind"] = "linear", ["count"] = 5, ["offset"] = 10 };
        Assert.Equal("schedule.offset", Assert.Throws<DevInterp.Models.SpecFormatException>(() => TrainingSettings.Parse(json)).Field);
        Assert.Throws<DevInterp.Models.SpecFormatException>(() => CheckpointSchedule.LogSpaced(5, offset: 0).Resolve(10));
    }
}
