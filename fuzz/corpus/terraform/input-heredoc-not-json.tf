resource "aws_iam_policy" "typo" {
  name   = "typo"
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": "iam:PassRole"
    "Resource": "*"
  }]
}
EOF
}

resource "aws_iam_policy" "ok" {
  name   = "ok"
  policy = <<EOF
{"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/*"}]}
EOF
}
