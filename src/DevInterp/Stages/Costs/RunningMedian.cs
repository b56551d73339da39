namespace DevInterp.Stages.Costs;

/// <summary>
/// A multiset of numbers that reports Σ|x − median| after each insertion, in O(log n) per insertion: the lower half
/// in a max-heap, the upper half in a min-heap, with their sums.
/// </summary>
internal sealed class RunningMedian
{
    private readonly PriorityQueue<double, double> _lower = new(); // max-heap via negated priorities
    private readonly PriorityQueue<double, double> _upper = new();
    private double _lowerSum, _upperSum;

    public void Clear()
    {
        _lower.Clear();
        _upper.Clear();
        _lowerSum = _upperSum = 0;
    }

    public void Add(double x)
    {
        if (_lower.Count == 0 || x <= _lower.Peek())
        {
            _lower.Enqueue(x, -x);
            _lowerSum += x;
        }
        else
        {
            _upper.Enqueue(x, x);
            _upperSum += x;
        }
        // Keep |lower| = |upper| or |upper| + 1, so the lower heap's top is the (lower) median.
        if (_lower.Count > _upper.Count + 1)
        {
            double moved = _lower.Dequeue();
            _lowerSum -= moved;
            _upper.Enqueue(moved, moved);
            _upperSum += moved;
        }
        else if (_upper.Count > _lower.Count)
        {
            double moved = _upper.Dequeue();
            _upperSum -= moved;
            _lower.Enqueue(moved, -moved);
            _lowerSum += moved;
        }
    }

    /// <summary>Σ|x − m| over the inserted values, m their median.</summary>
    public double AbsoluteDeviation
    {
        get
        {
            if (_lower.Count == 0) return 0;
            double m = _lower.Peek();
            double sum = m * _lower.Count - _lowerSum + _upperSum - m * _upper.Count;
            return sum > 0 ? sum : 0;
        }
    }
}
