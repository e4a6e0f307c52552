# A role in an instance profile that an instance uses: the instance's iam_instance_profile is the
# pass site, so PR001 (the role trusts Lambda, not EC2) is reported there, once, not also at the profile.
resource "aws_iam_role" "web" {
  name = "web"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_iam_instance_profile" "web" {
  name = "web"
  role = aws_iam_role.web.name
}

resource "aws_instance" "web" {
  ami                  = "ami-0123456789abcdef0"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.web.name
}
