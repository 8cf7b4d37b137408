import numpy as np

from skbackprop import make_textbook_data


def test_first_point_and_class_counts_are_the_books():
    X, y = make_textbook_data()
    np.testing.assert_array_equal(np.round(X[0], 8), [-0.14173827, 0.86533666])
    np.testing.assert_array_equal(np.bincount(y[:100]), [30, 44, 26])
    np.testing.assert_array_equal(np.bincount(y[100:]), [46, 38, 16])


def book_generator(seed, N):
    """The book's data loop, transcribed with its own variable names."""
    np.random.seed(seed)
    K = 3
    T = np.zeros((N, 3), dtype=np.uint8)
    X = np.zeros((N, 2))
    Mu = np.array([[-0.5, -0.5], [0.5, 1.0], [1, -0.5]])
    Sig = np.array([[0.7, 0.7], [0.8, 0.3], [0.3, 0.8]])
    Pi = np.array([0.4, 0.8, 1])
    for n in range(N):
        wk = np.random.rand()
        for k in range(K):
            if wk < Pi[k]:
                T[n, k] = 1
                break
        for k in range(2):
            X[n, k] = (
                np.random.randn() * Sig[T[n, :] == 1, k][0] + Mu[T[n, :] == 1, k][0]
            )
    return X, T


def test_bit_for_bit_the_books_loop_for_several_seeds():
    for seed, N in [(1, 200), (0, 50), (7, 333)]:
        X_book, T_book = book_generator(seed, N)
        X, y = make_textbook_data(n_samples=N, random_state=seed)
        np.testing.assert_array_equal(X, X_book)
        np.testing.assert_array_equal(y, T_book.argmax(axis=1))
