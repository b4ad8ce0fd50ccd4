namespace Millwright.Learning.Tests;

public sealed class SplitsTests
{
    [Fact]
    public void The_rank_sum_auc_counts_ties_half()
    {
        Assert.Equal(1.0, Splits.Auc([(1f, false), (2f, true)]));
        Assert.Equal(0.0, Splits.Auc([(1f, true), (2f, false)]));
        Assert.Equal(0.5, Splits.Auc([(1f, true), (1f, false)]));
    }

    [Fact]
    public void The_nasa_score_punishes_late_predictions_more_than_early_ones()
    {
        var late = Fitter.NasaScore([50f], [60f]);
        var early = Fitter.NasaScore([50f], [40f]);
        Assert.Equal(Math.Exp(1) - 1, late, 6);
        Assert.Equal(Math.Exp(10.0 / 13) - 1, early, 6);
        Assert.True(late > early);
    }
}
